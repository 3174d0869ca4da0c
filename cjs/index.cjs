'use strict';
module.exports = require('./esm-only.cjs')(() => require('../dist/index.js'));
