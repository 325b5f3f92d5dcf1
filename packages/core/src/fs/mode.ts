import {usageError} from '../errors.js'

const OCTAL = /^(?:0o)?([0-7]{1,4})$/i

/** Mode bits as `0640`, for messages. */
export function formatFileMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}

/**
 * Reads a file-mode option: an octal string (`"0640"`, `"640"`, `"0o640"`) or a number that already
 * is the mode (`0o640`, 416). Only permission bits (0000–0777) are accepted. Anything else is a usage
 * error naming the option. Note that YAML 1.2 reads an unquoted `0640` as the decimal 640, which is
 * refused here as out of range (the message says to quote it) rather than silently misread.
 */
export function parseFileMode(value: unknown, option = 'mode'): number {
  const example = `${option}: "0640"`
  if (typeof value === 'string') {
    const digits = OCTAL.exec(value.trim())?.[1]
    const mode = digits === undefined ? Number.NaN : Number.parseInt(digits, 8)
    if (mode >= 0 && mode <= 0o777) return mode
    throw usageError(`option "${option}" must be an octal file mode from 0000 to 0777, like "0600" or "0640" (got ${JSON.stringify(value)})`, {
      code: 'invalid_file_mode',
      suggestions: [`for example ${example}`],
    })
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0o777) return value
    throw usageError(
      `option "${option}" must be a file mode from 0000 to 0777 (got the number ${value}; an unquoted 0640 reads as decimal 640)`,
      {code: 'invalid_file_mode', suggestions: [`write it as a quoted octal string: ${example}`]},
    )
  }
  throw usageError(`option "${option}" must be an octal file mode string like "0600", not ${describeType(value)}`, {
    code: 'invalid_file_mode',
    suggestions: [`for example ${example}`],
  })
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`
}
