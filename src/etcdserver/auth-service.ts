// Auth, answered as an etcd with authentication disabled answers: Authenticate is refused with
// etcd's "not enabled" (etcdctl --user tolerates it), AuthStatus says disabled, AuthDisable is a
// no-op; enabling auth or managing users and roles is UNIMPLEMENTED.
import { status as Status } from '@grpc/grpc-js'
import type * as grpc from '@grpc/grpc-js'
import { type FrontContext, unary } from './front-context.js'
import { EtcdGrpcError, etcdMessages, unimplemented } from './errors.js'

const refused = ['AuthEnable', 'UserAdd', 'UserGet', 'UserList', 'UserDelete', 'UserChangePassword', 'UserGrantRole', 'UserRevokeRole', 'RoleAdd', 'RoleGet', 'RoleList', 'RoleDelete', 'RoleGrantPermission', 'RoleRevokePermission']

export function authHandlers(ctx: FrontContext): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {
    Authenticate: unary(ctx, async () => {
      throw new EtcdGrpcError(Status.FAILED_PRECONDITION, etcdMessages.authNotEnabled)
    }),
    AuthStatus: unary(ctx, async () => ({ header: ctx.header(ctx.store.revision), enabled: false, authRevision: '0' })),
    AuthDisable: unary(ctx, async () => ({ header: ctx.header(ctx.store.revision) })),
  }
  const refuse = unary(ctx, async () => {
    throw unimplemented(etcdMessages.auth)
  })
  for (const name of refused) handlers[name] = refuse
  return handlers
}
