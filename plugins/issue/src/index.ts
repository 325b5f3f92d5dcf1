// @bella/plugin-issue: `bella issue`. The service is exported for library use and tests.
export {issueToken, parseIssueRequest} from './issue-service.js'
export type {CreatedApiKeyResponse, IssueFlags, IssueOptions, IssueRequest, IssueResult} from './issue-service.js'
