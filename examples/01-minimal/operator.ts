// A complete operator: log every Sample (the seed's nuvolaris.org/v1 kind) as it is created.
import { defineOperator } from "capstan";

export default defineOperator((op) => {
  op.on({ apiVersion: "nuvolaris.org/v1", kind: "Sample" })
    .create(({ spec, log }) => log.info({ spec }, "sample created"))
    .update(({ diff, log }) => log.info({ diff }, "sample changed"));
});
