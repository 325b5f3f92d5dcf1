/**
 * Jest runs every test file in a fresh module registry but one process (in band on a small
 * machine) with one real process.stdout/stderr. A module that adds a listener to them when it is
 * evaluated (@oclif/core's command.js swallows stdout EPIPE with `process.stdout.on('error', …)`)
 * therefore adds one more per test file that loads it: after ten, Node prints
 * "MaxListenersExceededWarning: … 11 error listeners added to [SyncWriteStream]". In bella itself
 * the module is evaluated once per process, so this is the harness's leak: each test file takes
 * back the listeners it added to the two streams when it ends. (Plain JS: loaded by jest as is.)
 */
import {afterAll} from '@jest/globals'

const streams = [process.stdout, process.stderr]
const EVENTS = ['error', 'close', 'finish', 'drain']
const before = streams.map((stream) => new Map(EVENTS.map((event) => [event, stream.listeners(event)])))

afterAll(() => {
  streams.forEach((stream, i) => {
    for (const event of EVENTS) {
      const kept = before[i].get(event)
      for (const listener of stream.listeners(event)) if (!kept.includes(listener)) stream.removeListener(event, listener)
    }
  })
})
