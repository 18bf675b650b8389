/** The status code and message of a rejected API call, for assertions. */
export async function rejection(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (error) {
    const { code, body } = error as { code?: number; body?: unknown };
    if (code === undefined) throw error;
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
    return { code, message: parsed?.message ?? String(body) };
  }
  throw new Error('expected the API server to reject the request, but it accepted it');
}
