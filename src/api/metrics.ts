// Request counters of the local API, under CrowdSec's metric names so its dashboards and
// `cscli metrics` read them: per route and method, per machine, per bouncer, and whether a
// bouncer's decision query found anything.
import type { FastifyRequest } from 'fastify';
import type { Family, Labels } from '../metrics/exposition';

type Caller = { kind: 'machine' | 'bouncer'; name: string };

class LabeledCounter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  add(labels: Labels, by = 1): void {
    const key = Object.values(labels).join('\0');
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }

  family(name: string, help: string): Family {
    return { name, help, type: 'counter', samples: [...this.values.values()].map((e) => ({ labels: e.labels, value: e.value })) };
  }
}

export class ApiMetrics {
  private readonly callers = new WeakMap<FastifyRequest, Caller>();
  private readonly routes = new LabeledCounter();
  private readonly machines = new LabeledCounter();
  private readonly bouncers = new LabeledCounter();
  private readonly decisionsFound = new LabeledCounter();
  private readonly decisionsEmpty = new LabeledCounter();

  /** Who made the request, once authenticated. */
  identify(req: FastifyRequest, kind: Caller['kind'], name: string): void {
    this.callers.set(req, { kind, name });
  }

  /** A bouncer's query or stream answered with decisions (`found`) or with none. */
  decisionsServed(req: FastifyRequest, found: boolean): void {
    const caller = this.callers.get(req);
    (found ? this.decisionsFound : this.decisionsEmpty).add({ bouncer: caller?.name ?? '' });
  }

  /** Every answered request, by its route pattern (never the raw URL: ids and queries would explode the label set). */
  answered(req: FastifyRequest): void {
    const route = req.routeOptions.url ?? 'unknown';
    const method = req.method;
    this.routes.add({ route, method });
    const caller = this.callers.get(req);
    if (caller?.kind === 'machine') this.machines.add({ machine: caller.name, route, method });
    if (caller?.kind === 'bouncer') this.bouncers.add({ bouncer: caller.name, route, method });
  }

  families(): Family[] {
    return [
      this.routes.family('cs_lapi_route_requests_total', 'Local API requests, by route and method'),
      this.machines.family('cs_lapi_machine_requests_total', 'Local API requests of each machine'),
      this.bouncers.family('cs_lapi_bouncer_requests_total', 'Local API requests of each bouncer'),
      this.decisionsFound.family('cs_lapi_decisions_ok_total', 'Bouncer decision queries that returned decisions'),
      this.decisionsEmpty.family('cs_lapi_decisions_ko_total', 'Bouncer decision queries that returned none'),
    ];
  }
}
