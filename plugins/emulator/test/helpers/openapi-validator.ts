/**
 * Validates emulator responses against contract/openapi.json with ajv (draft 2020-12, which is
 * what OpenAPI 3.1 uses). Schemas are found through path → method → status → media type, as a
 * client generator would, not by component name, so a renamed or mis-attached schema shows up.
 *
 * On top of the schema (which allows extra properties) objects are also checked for properties
 * the spec does not declare: a client that learnt to rely on an emulator-only field would break
 * against the real server.
 */
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {loadContractJson} from './contract.js'

const openapi = loadContractJson('openapi.json')
const DOC_ID = 'https://bella.test/openapi.json'

const ajv = new Ajv2020({allErrors: true, strict: false})
// The formats openapi.json uses; checked, not ignored, so a malformed timestamp or id fails.
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
ajv.addFormat('date-time', {
  type: 'string',
  validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
})
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/)
ajv.addFormat('int32', {type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31})
ajv.addFormat('int64', {type: 'number', validate: (n: number) => Number.isSafeInteger(n)})
ajv.addFormat('double', {type: 'number', validate: () => true})
ajv.addFormat('binary', {type: 'string', validate: () => true})
ajv.addSchema(openapi, DOC_ID)

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
}

/** The JSON pointer of a response schema, failing loudly when the spec does not declare it. */
export function responseSchemaPointer(path: string, method: string, status: number, mediaType: string): string {
  const content = openapi.paths?.[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content
  if (!content) throw new Error(`openapi.json declares no ${status} response for ${method} ${path}`)
  if (!content[mediaType]) throw new Error(`openapi.json declares ${Object.keys(content).join(', ')} for ${method} ${path} ${status}, not ${mediaType}`)
  return `#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`
}

export function responseValidator(path: string, method: string, status: number, mediaType = 'application/json'): ValidateFunction {
  return validatorFor(responseSchemaPointer(path, method, status, mediaType))
}

export function validatorFor(ref: string): ValidateFunction {
  const validate = ajv.getSchema(`${DOC_ID}${ref}`)
  if (!validate) throw new Error(`cannot compile ${ref}`)
  return validate
}

/** Follows `$ref`s inside openapi.json. */
function resolve(schema: any): any {
  let current = schema
  while (current && typeof current.$ref === 'string') {
    const parts = (current.$ref as string).replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    current = parts.reduce((node: any, part) => node?.[part], openapi)
  }
  return current
}

/** Properties of `value` (recursively through objects and arrays) that the schema does not declare. */
export function undeclaredProperties(schemaRef: string, value: unknown, at = '$'): string[] {
  const parts = schemaRef.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  return undeclared(resolve(parts.reduce((node: any, part) => node?.[part], openapi)), value, at)
}

function undeclared(schema: any, value: unknown, at: string): string[] {
  schema = resolve(schema)
  if (!schema || value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) return value.flatMap((item, i) => undeclared(schema.items, item, `${at}[${i}]`))
  // A schema that declares no properties (e.g. `{}`) says nothing about which are allowed.
  if (!schema.properties) return []
  const out: string[] = []
  const declared = schema.properties
  for (const [key, child] of Object.entries(value)) {
    if (key in declared) out.push(...undeclared(declared[key], child, `${at}.${key}`))
    else if (!schema.additionalProperties) out.push(`${at}.${key}`)
  }
  return out
}

export function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '$'} ${e.message}`).join('; ')
}
