// The shared behaviour tests (suite.mjs) on the sync API (index.js).
import * as api from '../index.js';
import { suite } from './suite.mjs';

suite(api, 'sync');
