/**
 * Reads and validates `bella-agent.yaml` before anything runs. The file is parsed with `yaml`
 * keeping every node's source range, so each problem is reported as `file:line:col: where: what
 * (allowed: …)`; all problems are collected (up to a limit) and reported together as one usage
 * error (exit 2). Nothing is fetched, written or signalled from an invalid file.
 *
 * Schema (hyphenated keys, as the official agent's file, contract §2.2):
 *
 *   watches:            non-empty list
 *     - project:        string, required
 *       environment:    string, required
 *       provider:       string, optional (one provider's secrets instead of the whole environment)
 *       poll-interval:  whole seconds, 5..86400, default 30
 *   sinks:              non-empty list
 *     - type:           a registered sink strategy (dotenv, json, yaml, or one a plugin adds)
 *       …               the sink's own options, checked by the sink itself (path, mode, …)
 *   process:            optional
 *     signal:           a registered signal strategy the agent can use (not `restart`)
 *     pid-file:         path; required unless the signal is inert (`none`)
 *
 * `${VAR}` expansion (see expand.ts) applies to scalar values only, never to keys or raw text.
 * Relative paths resolve against the config file's folder. `yaml` is imported lazily: only the
 * agent pays for it.
 */
import {readFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {escapeControls, usageError} from '@bella/core'
import {Checker} from './checker.js'
import type {AgentConfig, ConfigError, ConfigProblem, LoadConfigOptions} from './types.js'
import {MAX_PROBLEMS} from './yaml-reader.js'

export * from './types.js'

/** One line, whatever the file holds: control characters it quotes (in keys, values, expansions) are escaped. */
export function formatProblem(file: string, p: ConfigProblem): string {
  return escapeControls(`${file}:${p.line}:${p.col}: ${p.at ? `${p.at}: ` : ''}${p.message}${p.allowed ? ` (allowed: ${p.allowed})` : ''}`)
}

export async function loadAgentConfig(options: LoadConfigOptions): Promise<AgentConfig> {
  const label = options.label ?? options.path
  let text: string
  try {
    text = await readFile(options.path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')
    throw usageError(`cannot read the agent config ${escapeControls(label)}: ${why}`, {
      code: 'agent_config_unreadable',
      suggestions:
        code === 'ENOENT'
          ? ['create a starter file with `bella agent --init`, or point -c/--config at yours']
          : ['check the path given to -c/--config and its permissions'],
    })
  }
  return parseAgentConfig(text, {...options, label})
}

/** Validates config text; `options.path` locates relative paths, `options.label` names the file. */
export async function parseAgentConfig(text: string, options: LoadConfigOptions): Promise<AgentConfig> {
  // `.default` is the CommonJS module itself, under Node and in the esbuild bundles alike.
  const YAML = (await import('yaml')).default
  const file = options.label ?? options.path
  const lineCounter = new YAML.LineCounter()
  const doc = YAML.parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const checker = new Checker(YAML, doc, lineCounter, text, file, options.env)
  if (doc.errors.length > 0) {
    for (const error of doc.errors.slice(0, MAX_PROBLEMS)) {
      const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0])
      checker.problems.push({...pos, at: '', message: `invalid YAML: ${firstLine(error.message)}`})
    }
    throw configError(file, checker.problems)
  }
  const baseDir = dirname(options.path)
  const config = checker.check(baseDir, options.registries)
  if (checker.problems.length > 0 || !config) throw configError(file, checker.problems)
  return {file, path: options.path, baseDir, ...config}
}

function configError(file: string, problems: ConfigProblem[]): ConfigError {
  const lines = problems.map((p) => formatProblem(file, p))
  const message =
    lines.length === 1 ? `invalid agent config: ${lines[0]}` : `invalid agent config ${escapeControls(file)} (${lines.length} problems):\n  ${lines.join('\n  ')}`
  const error = usageError(message, {
    code: 'invalid_agent_config',
    suggestions: ['fix the file and run again; `bella agent --init -c <new file>` writes a commented example'],
  }) as ConfigError
  error.problems = lines
  return error
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}
