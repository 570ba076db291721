import type { AcquisEntry } from './acquis-config';
import { FileSource } from './file-source';
import { JournaldSource } from './journald-source';
import type { AcquisitionSource } from './source';
import { StdinSource } from './stdin-source';
import { SyslogSource } from './syslog-source';

export { readAcquisFile, readAcquisition, type AcquisEntry } from './acquis-config';
export type { AcquisitionSource, LineSink, Position, Stream } from './source';

export interface SourceOptions {
  maxLineBytes: number;
  /** Poll interval of file sources (inotify is the fast path). */
  pollMs?: number;
}

/** The running source of each acquisition entry. */
export function createSource(entry: AcquisEntry, options: SourceOptions): AcquisitionSource {
  switch (entry.source) {
    case 'file':
      return new FileSource(entry, options);
    case 'journalctl':
      return new JournaldSource(entry);
    case 'syslog':
      return new SyslogSource(entry);
    case 'stdin':
      return new StdinSource(entry.labels, options.maxLineBytes);
  }
}
