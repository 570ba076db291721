import test from 'ava';
import { startTestCentral } from '../helpers/central';
import { centralSuite } from './central-suite';

centralSuite(test, (yaml) => startTestCentral(yaml));
