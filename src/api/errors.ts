/** An error the API answers with `status` and `{"message": …}` (plus `code` for JWT errors, as gin-jwt). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly withCode = false,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.withCode ? { code: this.status, message: this.message } : { message: this.message };
  }
}

export const forbidden = (): ApiError => new ApiError(403, 'access forbidden');
export const badRequest = (message: string): ApiError => new ApiError(400, message);
