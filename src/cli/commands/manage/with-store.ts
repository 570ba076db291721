import { type ApiConfig, loadApiConfig } from '../../../config/api-config';
import { Store } from '../../../store/store';

export interface StoreFlags {
  dataDir?: string;
  configFile?: string;
}

/** Opens the configured store for one management command and always closes it. */
export async function withStore<T>(flags: StoreFlags, work: (store: Store, config: ApiConfig) => Promise<T>): Promise<T> {
  const config = loadApiConfig({ dataDir: flags.dataDir, configFile: flags.configFile });
  const store = await Store.open(config.store);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** CSV cell quoting for `-o raw`. */
export function csv(cells: readonly (string | number | boolean)[]): string {
  return `${cells.map((c) => {
    const s = String(c);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')}\n`;
}

/** An error the CLI reports as a usage mistake (exit status 2). */
export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'CW_USAGE' });
}
