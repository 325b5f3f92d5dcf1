import {Flags} from '@oclif/core'

export const providerFlag = {
  provider: Flags.string({description: 'Provider slug (bella providers list shows them).', helpGroup: 'TARGET'}),
}

/** The terminal's width for tables, or undefined when stdout is piped (then nothing is cut). */
export const tableWidth = (): number | undefined => (process.stdout.isTTY ? process.stdout.columns || 80 : undefined)
