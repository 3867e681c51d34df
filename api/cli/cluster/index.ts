// Local clusters for osctl: the netns provisioner (create, destroy, show) and what it prints.
export { createCluster, preflight, type CreateOptions, type CreatedCluster } from './create.js';
export { destroyCluster, type DestroyOptions, type DestroyReport } from './destroy.js';
export { ClusterError } from './errors.js';
export { loadRecord, type ClusterRecord, type NodeRecord } from './record.js';
export { planCluster, type ClusterPlan, type NodePlan, type NodeRole } from './plan.js';
export { showLines, summaryLines, usageLines } from './summary.js';
