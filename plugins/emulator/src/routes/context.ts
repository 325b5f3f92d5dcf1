import type {FaultInjector} from '../faults.js'
import type {IncomingRequest, Reply} from '../http.js'
import type {Params} from '../router.js'
import type {EmulatorState, Principal} from '../state.js'

/** Everything a route handler may use; handlers never touch node:http directly. */
export interface HandlerContext {
  state: EmulatorState
  faults: FaultInjector
  principal: Principal
  request: IncomingRequest
  params: Params
  now: Date
}

/** May be async (dynamic credentials talk to PostgreSQL); the pipeline awaits it. */
export type Handler = (ctx: HandlerContext) => Reply | Promise<Reply>
