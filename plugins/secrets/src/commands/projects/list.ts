import {BellaCommand, connectionFlags, maskControls, sessionInputFrom} from '@bella/core'
import type {ProjectSummary} from '../../api.js'
import {projectsList} from '../../browse-service.js'
import {tableWidth} from '../../flags.js'
import {renderTable} from '../../table.js'
import {slug} from '../../target.js'

export default class ProjectsList extends BellaCommand {
  static override summary = 'List the projects your credentials can see.'
  static override examples = ['<%= config.bin %> projects list', '<%= config.bin %> projects list --json']
  static override enableJsonFlag = true
  static override flags = {...connectionFlags}

  async run(): Promise<ProjectSummary[]> {
    const {flags} = await this.parse(ProjectsList)
    const projects = await projectsList(sessionInputFrom(flags, (m) => this.out.info(m)))
    if (this.jsonEnabled()) return projects
    if (projects.length === 0) this.out.info('No projects are visible to these credentials.')
    else this.out.result(renderTable(['SLUG', 'NAME', 'ENVIRONMENTS', 'DESCRIPTION'], projects.map((p) => [slug(p.slug), maskControls(p.name), String(p.environmentCount ?? '-'), maskControls(p.description ?? '')]), {width: tableWidth(), flex: 3}))
    return projects
  }
}
