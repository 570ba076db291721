import test from 'ava';
import { startTestApi } from '../helpers/api';
import { lapiSuite } from './lapi-suite';

lapiSuite(test, (configYaml) => startTestApi({ configYaml }));
