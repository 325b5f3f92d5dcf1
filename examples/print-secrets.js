#!/usr/bin/env node
// The demo's "application": shows which secrets reached it through its environment. It prints
// names and lengths only: even demo values should not be echoed to a terminal or a CI log.
const names = (process.env.DEMO_EXPECTS ?? 'DATABASE_URL,REDIS_URL,STRIPE_API_KEY,JWT_SIGNING_SECRET,FEATURE_NEW_CHECKOUT,LOG_LEVEL')
  .split(',')
  .filter(Boolean)
let missing = 0
for (const name of names) {
  const value = process.env[name]
  if (value === undefined) {
    missing++
    console.log(`  ${name.padEnd(24)} (missing)`)
  } else {
    console.log(`  ${name.padEnd(24)} set, ${value.length} characters`)
  }
}
const leaked = ['BELLA_BAXTER_API_KEY', 'BELLA_BAXTER_ACCESS_TOKEN'].filter((name) => process.env[name] !== undefined)
console.log(leaked.length === 0 ? "  bella's own API key was not passed to me." : `  LEAKED: ${leaked.join(', ')}`)
process.exit(missing === 0 && leaked.length === 0 ? 0 : 1)
