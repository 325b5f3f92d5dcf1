/**
 * Which workload platform bella runs on, if any (contract §1.9, first match wins). Only platforms
 * whose OIDC token bella can obtain are detected: GitHub Actions (the job needs
 * `permissions: id-token: write`, which sets ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) and Kubernetes
 * (a service-account token file; a projected one with audience `bella-baxter` is what the server
 * will accept).
 *
 * Settings (all optional):
 *   BELLA_OIDC_AUDIENCE       audience to ask for / require (default bella-baxter)
 *   BELLA_K8S_TOKEN_PATH      the token file (default /var/run/secrets/kubernetes.io/serviceaccount/token)
 *   BELLA_WORKLOAD_IDENTITY   `off` (or 0/false/no) never tries workload identity
 */
import {existsSync, statSync} from 'node:fs'
import type {Env} from '../config/types.js'

export const DEFAULT_OIDC_AUDIENCE = 'bella-baxter'
export const DEFAULT_K8S_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

export type WorkloadPlatform =
  | {kind: 'github-actions'; name: 'GitHub Actions'; requestUrl: string; requestToken: string}
  | {kind: 'kubernetes'; name: 'Kubernetes'; tokenPath: string; tokenPathOrigin: string}

export interface DetectOptions {
  /** Defaults to "exists and is a file". */
  isFile?: (path: string) => boolean
}

const isFile = (path: string): boolean => {
  try {
    return existsSync(path) && statSync(path).isFile()
  } catch {
    return false
  }
}

export function workloadIdentityDisabled(env: Env): boolean {
  return /^(off|0|false|no|disabled?)$/i.test(env.BELLA_WORKLOAD_IDENTITY?.trim() ?? '')
}

export function oidcAudience(env: Env): string {
  return env.BELLA_OIDC_AUDIENCE?.trim() || DEFAULT_OIDC_AUDIENCE
}

export function detectWorkloadPlatform(env: Env, options: DetectOptions = {}): WorkloadPlatform | undefined {
  if (workloadIdentityDisabled(env)) return undefined
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL?.trim()
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN?.trim()
  if (requestUrl && requestToken) return {kind: 'github-actions', name: 'GitHub Actions', requestUrl, requestToken}
  const configured = env.BELLA_K8S_TOKEN_PATH?.trim()
  const tokenPath = configured || DEFAULT_K8S_TOKEN_PATH
  if ((options.isFile ?? isFile)(tokenPath)) {
    return {kind: 'kubernetes', name: 'Kubernetes', tokenPath, tokenPathOrigin: configured ? 'BELLA_K8S_TOKEN_PATH' : 'default path'}
  }
  return undefined
}
