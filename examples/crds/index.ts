/** Both seed resources, for `capstan generate crd examples/crds/index.ts`. */
export { MongoUserResource } from "./mongouser.js";
export { Sample } from "./sample.js";
