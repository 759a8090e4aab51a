/** The README of a project `capstan init` writes: its two commands first, then the layout. */
import type { ProjectNames } from "./init-files.js";

const fence = "```";

export const readmeMd = (n: ProjectNames): string => `# ${n.name}

A Kubernetes operator written in TypeScript with Capstan.
Each \`${n.kind}\` (\`${n.group}/${n.version}\`) owns a ConfigMap holding its message.

## Two commands

${fence}sh
npm run demo   # the operator on the local control plane, with samples/ applied
npm test       # its tests, on one local control plane started for the run
${fence}

Run \`npm install\` once first. The first run builds the local control plane (etcd,
kube-apiserver, kube-controller-manager) into \`~/.cache/capstan\`, which takes a few minutes
and needs Go; later runs start it in seconds. There is no build step: Capstan runs the
TypeScript files as they are, and \`npm run typecheck\` checks them.

\`npm run demo\` keeps the control plane running after Ctrl-C. Look at what the operator did:

${fence}sh
export KUBECONFIG=$(npx capstan cluster kubeconfig)
kubectl get ${n.plural} -o yaml
kubectl get configmaps
npx capstan cluster down       # stops the local control plane
${fence}

## Layout

- \`src/resource.ts\`: the \`${n.kind}\` resource — type, validation and CRD from one schema
- \`src/operator.ts\`: the operator, reconciling each \`${n.kind}\` into its ConfigMap
- \`src/operator.test.ts\`: its tests, against the local control plane (\`capstan/testing\`)
- \`samples/\`: a sample \`${n.kind}\`

\`npm start\` runs the operator on the local control plane without the samples, restarting it
when a file changes. \`npx capstan test src/operator.test.ts\` runs one test file.

## Deploy

${fence}sh
npm run generate                                   # deploy/: kustomize base, RBAC, Dockerfile
docker build -f deploy/Dockerfile -t ${n.name}-operator:dev .
kubectl apply -k deploy/base
${fence}

The RBAC is derived from what the operator declares: its kind, the ConfigMaps it owns,
Events and its Lease, in its own namespace (\`${n.name}-system\`). Regenerate after changing
the operator.
`;
