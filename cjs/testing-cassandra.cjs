'use strict';
module.exports = require('./esm-only.cjs')(() => require('../dist/tooling/cassandra/index.js'));
