/**
 * What a principal may read: an environment-scoped credential sees its own environment only, a
 * project-level one every environment of its project. Out of scope is 403, not 404, when the
 * target exists (the route resolves it first), so a client can tell "wrong key" from "typo".
 */
import {forbidden} from '../http.js'
import type {EnvironmentState, Principal, ProjectState} from '../state.js'

export function assertProjectInScope(principal: Principal, project: ProjectState): void {
  if (principal.projectId !== project.id) {
    throw forbidden(`this credential is scoped to another project and may not access project "${project.slug}"`)
  }
}

export function assertEnvironmentInScope(principal: Principal, project: ProjectState, env: EnvironmentState): void {
  assertProjectInScope(principal, project)
  if (principal.environmentId !== null && principal.environmentId !== env.id) {
    throw forbidden(`this credential is scoped to another environment and may not access environment "${env.slug}" of project "${project.slug}"`)
  }
}
