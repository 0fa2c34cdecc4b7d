/**
 * Where the wrong-audience attack's second API lives on the sandbox, shared by the sandbox (which serves
 * it, server/sandbox/attack-lab-wrong-audience.ts) and the attack's steps (which call it).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.3
 */

/** The payroll API's endpoint on the sandbox: the signed-in user's pay slip. */
export const PAYROLL_API_PATH = '/attack-lab/payroll-api/me';

/**
 * The payroll API's identifier (RFC 8707 resource), which its tokens must carry as `aud`.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function payrollApiResource(sandboxOrigin: string): string {
  return `${sandboxOrigin}/attack-lab/payroll-api`;
}
