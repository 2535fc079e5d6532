// The shared behaviour tests (suite.mjs) on the async API (async.js).
import * as api from '../async.js';
import { suite } from './suite.mjs';

suite(api, 'async');
