import * as fs from 'node:fs';
import type { Alert, Trace, TraceNode } from '../engine/native';
import { readCaseConfig } from './case-config';
import type { HubLocation } from './hub';
import { caseDirOf, withCaseEngine } from './run-case';

export interface ExplainedLine {
  /** 1-based line of the case's log. */
  line: number;
  trace: Trace;
  /** The alerts this line's pour raised (after postoverflows). */
  alerts: Alert[];
}

/**
 * A case's log, line by line, through exactly its items: each line's way through the parsers
 * and the scenarios it reached, then poured for real, so the alerts appear at the line that
 * raised them.
 */
export function explainCase(hub: HubLocation, name: string): ExplainedLine[] {
  const config = readCaseConfig(caseDirOf(hub, name));
  return withCaseEngine(hub, name, config, ({ engine, source, logFile }) => {
    const lines = fs.readFileSync(logFile, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.map((text, i) => {
      const trace = engine.explain(source, text);
      for (const stage of trace.stages) stage.nodes.forEach(showHubPath);
      return { line: i + 1, trace, alerts: engine.processBatch(source, Buffer.from(`${text}\n`)).alerts };
    });
  });
}

/** A node's file as the hub has it, not as linked in the scratch config dir. */
function showHubPath(node: TraceNode): void {
  try {
    node.file = fs.realpathSync(node.file);
  } catch {
    // Shown as the engine gave it.
  }
  node.children?.forEach(showHubPath);
}
