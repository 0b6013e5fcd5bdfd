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
    try {
      return sendError(res, err).code
    } catch (sendErr) {
      // The response itself is broken (say, a header HTTP/2 forbids was set before the failure):
      // log it and end the stream; the process must survive.
      log(`apiserver: ${where}: could not send the error Status: ${sendErr instanceof Error ? sendErr.message : String(sendErr)}`)
      endQuietly(res)
      return 500
    }
  }
}

function endQuietly(res: ApiResponse): void {
  try {
    if (!res.writableEnded) res.end()
  } catch (err) {
    // Nothing more can be sent on this stream; the client sees it reset.
    void err
  }
}
