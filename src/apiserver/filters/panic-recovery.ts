// Panic recovery: whatever a later stage throws becomes that request's Status. Expected errors
// (an ApiError, or a StorageError with a Kubernetes reason) are answered quietly; anything else is
// a 500 and one log line with the stack, and the process goes on.
import { ApiError, statusOf } from '../api-error.js'
import { sendError, type ApiResponse } from '../http/io.js'

function expected(err: unknown): boolean {
  if (err instanceof ApiError) return true
  return err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && statusOf(err).code !== 500
}

/** Runs `work`; never rejects. Returns the status code the client got. */
export async function recoverPanics(work: () => Promise<void>, res: ApiResponse, where: string, log: (line: string) => void): Promise<number> {
  try {
    await work()
    return res.statusCode
  } catch (err) {
    if (!expected(err)) log(`apiserver: ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    if (res.headersSent) {
      if (!res.writableEnded) res.end()
      return res.statusCode
    }
    return sendError(res, err).code
  }
}
