// Who a request is and what it may do, for `etchlog serve`: RBAC fed from the store, the
// ServiceAccount token signer (its key made once under the PKI folder), the static token file,
// the authenticators, and the review and TokenRequest endpoints.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { OidcFlags } from './serve-options.js'
import {
  certificateAuthenticator,
  escalationHook,
  impersonation,
  OidcAuthenticator,
  RbacAuthorizer,
  rbacAuthorizer,
  reviewHandlers,
  ServiceAccountTokens,
  TokenFile,
  tokenAuthenticator,
  tokenRequestHandler,
  writeAtomic,
  type ApiContext,
  type ApiServerOptions,
} from './apiserver/index.js'

export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local'

export interface Security {
  rbac: RbacAuthorizer
  server: Pick<ApiServerOptions, 'authenticators' | 'authorizer' | 'impersonate'>
}

/** Builds authentication and authorization and registers their endpoints and the escalation hook on ctx. */
export function setUpSecurity(ctx: ApiContext, pkiDir: string, tokenAuthFile: string | undefined, oidcFlags?: OidcFlags): Security {
  const rbac = new RbacAuthorizer()
  const saKey = serviceAccountKey(pkiDir)
  const saTokens = new ServiceAccountTokens({
    privateKey: saKey.privateKey,
    publicKey: saKey.publicKey,
    issuer: serviceAccountIssuer,
    clock: ctx.clock,
    lookup: async (namespace, name) => {
      const sa = ctx.catalog.lookup('', 'v1', 'serviceaccounts')
      const account = sa === undefined ? undefined : await ctx.store.tryGet(sa, namespace, name)
      return account === undefined ? undefined : { uid: account.metadata.uid }
    },
  })
  const tokenFile = tokenAuthFile === undefined ? undefined : TokenFile.parse(readFileSync(tokenAuthFile, 'utf8'))
  const oidc =
    oidcFlags?.issuerUrl === undefined || oidcFlags.clientId === undefined
      ? undefined
      : new OidcAuthenticator({
          issuerUrl: oidcFlags.issuerUrl,
          clientId: oidcFlags.clientId,
          clock: ctx.clock,
          ...(oidcFlags.usernameClaim === undefined ? {} : { usernameClaim: oidcFlags.usernameClaim }),
          ...(oidcFlags.usernamePrefix === undefined ? {} : { usernamePrefix: oidcFlags.usernamePrefix }),
          ...(oidcFlags.groupsClaim === undefined ? {} : { groupsClaim: oidcFlags.groupsClaim }),
          ...(oidcFlags.groupsPrefix === undefined ? {} : { groupsPrefix: oidcFlags.groupsPrefix }),
          ...(oidcFlags.caFile === undefined ? {} : { ca: readFileSync(oidcFlags.caFile) }),
        })
  ctx.writeHooks.unshift(escalationHook(rbac))
  for (const [path, handler] of reviewHandlers(rbac)) ctx.virtual.set(path, handler)
  ctx.virtual.set('/serviceaccounts/token', tokenRequestHandler(ctx, saTokens, serviceAccountIssuer))
  return {
    rbac,
    server: {
      authenticators: [certificateAuthenticator(), tokenAuthenticator(tokenFile, saTokens, [serviceAccountIssuer], oidc)],
      authorizer: rbacAuthorizer(rbac),
      impersonate: impersonation(rbac),
    },
  }
}

/** The service-account token signing key (ES256), made once under the PKI folder. */
function serviceAccountKey(dir: string): { privateKey: ReturnType<typeof createPrivateKey>; publicKey: ReturnType<typeof createPublicKey> } {
  const path = join(dir, 'sa.key')
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    writeAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600)
  }
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'))
  return { privateKey, publicKey: createPublicKey(privateKey) }
}
