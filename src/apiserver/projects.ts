// OpenShift's project requests (`oc new-project`): POST projectrequests creates the namespace (with
// the display name, description and requester annotations), an `admin` RoleBinding for the
// requester in it, and the Project object, and answers with the Project. GET projectrequests is
// oc's permission probe: a success Status when the user may create them.
import type { KubeObject } from '../codec/index.js'
import { ApiError, badRequest, successStatus } from './api-error.js'
import type { ApiContext, UserInfo, VirtualHandler } from './handlers/context.js'
import { nameCauses } from './registry/strategy.js'

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

export function projectRequestHandler(ctx: ApiContext): VirtualHandler {
  return {
    create: async (info, body, user) => {
      if (info.verb === 'list') return { code: 200, body: successStatus({ kind: 'projectrequests', group: 'project.openshift.io' }) }
      const req = (body ?? {}) as { metadata?: { name?: unknown }; displayName?: unknown; description?: unknown }
      const name = str(req.metadata?.name)
      const ns = ctx.catalog.lookup('', 'v1', 'namespaces')
      const rb = ctx.catalog.lookup('rbac.authorization.k8s.io', 'v1', 'rolebindings')
      const projects = ctx.catalog.lookup('project.openshift.io', 'v1', 'projects')
      if (ns === undefined || rb === undefined || projects === undefined) throw badRequest('projects are not served')
      const causes = nameCauses(ns, name)
      if (causes.length > 0) throw new ApiError('Invalid', `ProjectRequest.project.openshift.io "${name}" is invalid: metadata.name: ${causes[0]?.message ?? 'invalid'}`, { name, group: 'project.openshift.io', kind: 'ProjectRequest', causes })
      const annotations = { 'openshift.io/display-name': str(req.displayName), 'openshift.io/description': str(req.description), 'openshift.io/requester': user.username }
      const existing = await ctx.store.tryGet(ns, '', name)
      if (existing !== undefined) throw new ApiError('AlreadyExists', `project.project.openshift.io "${name}" already exists`, { name, group: 'project.openshift.io', kind: 'project' })
      await ctx.store.create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } } as unknown as KubeObject)
      await ctx.store.create(rb, adminBinding(name, user))
      const project = await ctx.store.create(projects, { apiVersion: 'project.openshift.io/v1', kind: 'Project', metadata: { name, annotations }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as unknown as KubeObject)
      return { code: 201, body: project }
    },
  }
}

function adminBinding(namespace: string, user: UserInfo): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'admin', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user.username }],
  } as unknown as KubeObject
}
