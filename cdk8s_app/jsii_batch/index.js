"use strict";
// The one piece of JavaScript of goldenpath (cdk8s_app/batching.py loads it as a jsii assembly):
// `Batch.define(objects)` runs `new Klass(scope, id, props)` and `addJsonPatch(...patches)` for
// each [scope, id, fqn, props, patches], in order, and returns the constructs; `Batch.call` runs
// static factories the same way. The kernel has
// already turned every argument into what a single jsii `create` of that class would receive
// (structs, enums and objects by reference), so each object is the real typed construct: its own
// constructor, its own toJson. Only the round trip per object is gone.
function classOf(fqn) {
  const [assembly, ...path] = fqn.split(".");
  let symbol = require(assembly); // resolved next to this package, as jsii installed the assemblies
  for (const part of path) symbol = symbol?.[part];
  if (typeof symbol !== "function") throw new Error(`goldenpath batch: no class ${fqn}`);
  return symbol;
}

class Batch {
  // [fqn, method, args] each: the static factory's results (IntOrString.fromString, ...).
  static call(calls) {
    return calls.map(([fqn, method, args]) => classOf(fqn)[method](...args));
  }

  // [fqn, args] each: `new Klass(...args)` (the Sections' own Apps and Charts).
  static construct(items) {
    return items.map(([fqn, args]) => new (classOf(fqn))(...args));
  }

  static define(objects) {
    const classes = new Map();
    return objects.map(([scope, id, fqn, props, patches]) => {
      if (!classes.has(fqn)) classes.set(fqn, classOf(fqn));
      const Klass = classes.get(fqn);
      const construct = new Klass(scope, id, props);
      if (patches.length > 0) construct.addJsonPatch(...patches);
      return construct;
    });
  }
}
exports.Batch = Batch;
