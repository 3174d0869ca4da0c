'use strict';
// cqlengine is ESM only; require() reaches it through Node's require(esm). Older Nodes reject that
// with ERR_REQUIRE_ESM and a hint about import() alone: say which Node versions work.
module.exports = function requireEsm(load) {
  try {
    return load();
  } catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') {
      const message =
        `cqlengine is an ES module: require('cqlengine') needs Node.js 20.19+ or 22.12+ (this is ${process.version}). ` +
        "Upgrade Node.js, or load it with `await import('cqlengine')`.";
      throw Object.assign(new Error(message, { cause: error }), { code: 'ERR_REQUIRE_ESM' });
    }
    throw error;
  }
};
