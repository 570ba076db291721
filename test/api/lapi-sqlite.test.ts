import test from 'ava';
import { startTestApi } from '../helpers/api';
import { hostileSuite } from './hostile-suite';
import { lapiSuite } from './lapi-suite';

const start = (configYaml?: string) => startTestApi({ configYaml });
lapiSuite(test, start);
hostileSuite(test, start);
