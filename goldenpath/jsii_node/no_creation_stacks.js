"use strict";
// Preloaded (`node --require`) into the jsii runtime by ./node, beside lazy_provider_index.js.
//
// cdktf records a full JavaScript stack trace in every token it creates (Intrinsic, Lazy, the
// dynamic and computed-list tokens: `this.creationStack = captureStackTrace()`), for the text of
// an error should the token later fail to resolve. Under jsii that stack is the kernel's own
// frames (Kernel._create, processRequest ...), never the Python line that made the token, and
// capturing it with an unlimited depth and formatting it cost the default platform's synth 1,356
// captures, ~0.15 s of node per synth. Here cdktf's captureStackTrace returns one line that says
// so instead; cdktf reads the result only to put it into such an error message (errors.js,
// intrinsic.js, resolvable.js: `.join`, `.length`), never into the synthesized JSON.
//
// Only cdktf's module of exactly the known shape is changed; GOLDENPATH_OPTIMIZE=0 (the render
// identity tests' reference) and GOLDENPATH_NODE_STACKS=1 (to debug a token error) keep it.
const Module = require("module");

const TARGET = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/;
const SHAPE = ["exports.captureStackTrace = captureStackTrace;", "Error.captureStackTrace(object, below);"];
const NOT_RECORDED = Object.freeze([
  "(creation stack not recorded: goldenpath/jsii_node/no_creation_stacks.js; GOLDENPATH_NODE_STACKS=1 records it)",
]);

function notRecorded() {
  return NOT_RECORDED;
}

if (process.env.GOLDENPATH_OPTIMIZE !== "0" && process.env.GOLDENPATH_NODE_STACKS !== "1") {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    const result = compile.call(this, content, filename);
    if (TARGET.test(filename) && SHAPE.every((text) => content.includes(text)) && typeof this.exports.captureStackTrace === "function") {
      this.exports.captureStackTrace = notRecorded;
    }
    return result;
  };
}
