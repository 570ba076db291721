// Setting values shared by the config files: listen addresses, ranges, durations, choices.
import type { Node as YamlNode } from 'yaml';
import { parseIpRange } from '../store/ip-range';
import { parseGoDuration } from '../time/go-duration';
import { ConfigError, list } from './yaml-reader';

export const LOG_LEVELS = ['error', 'warning', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`invalid listen address '${text}' (expected HOST:PORT)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export function ranges(node: YamlNode | null | undefined, where: string): string[] {
  const ips = list(node, where);
  for (const ip of ips) if (parseIpRange(ip) === null) throw new ConfigError(`${where}: '${ip}' is not an IP or range`);
  return ips;
}

export function duration(text: string, where: string): number {
  const ns = parseGoDuration(text, true);
  if (ns === null || ns <= 0) throw new ConfigError(`${where}: '${text}' is not a positive duration`);
  return ns / 1e6;
}

export function bool(text: string, where: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`${where} must be true or false`);
}

export function integer(text: string, where: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${where} must be an integer from ${min} to ${max}`);
  return n;
}

export function oneOf<T extends string>(text: string, where: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`${where} must be one of ${choices.join(', ')}`);
  return text as T;
}

export function logLevel(text: string, where: string): LogLevel {
  return oneOf(text === 'warn' ? 'warning' : text, where, LOG_LEVELS);
}

/** An http(s) URL, as given. */
export function httpUrl(text: string, where: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${where}: '${text}' is not an http(s) URL`);
  return text;
}
