// A tiny web app that reads a secret on every request through bella-sdk. Change the secret
// (`bella emulator set LOG_LEVEL=warn`) and the next request shows the new value: no restart.
//
//   BELLA_BAXTER_URL=… BELLA_BAXTER_API_KEY=… node app.mjs    then: curl http://127.0.0.1:3000
import {createServer} from 'node:http'
import {createBellaConfig} from 'bella-sdk'

const bella = await createBellaConfig({
  refreshInterval: Number(process.env.REFRESH_SECONDS ?? 60),
  // Names only: the values stay in the SDK until the app reads them.
  onUpdate: ({added, changed, removed}) => console.error(`secrets changed: ${[...added, ...changed, ...removed].join(', ')}`),
})

const server = createServer((request, response) => {
  response.end(`LOG_LEVEL=${bella.get('LOG_LEVEL') ?? '(not set)'}\n`)
})
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    bella.destroy()
    server.close()
  })
}
