import {describe, expect, it} from '@jest/globals'
import {parse as parsePgUrl} from 'pg-connection-string'
import {
  adminUrlFor,
  connectionUrl,
  generatedPassword,
  generatedUsername,
  parseAdminUrl,
  quoteIdent,
  quoteLiteral,
  scramSha256Verifier,
} from '../src/dynamic/sql.js'

describe('SQL quoting', () => {
  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdent('readonly')).toBe('"readonly"')
    expect(quoteIdent('a"b')).toBe('"a""b"')
    expect(quoteIdent('x"; DROP ROLE admin; --')).toBe('"x""; DROP ROLE admin; --"')
    expect(() => quoteIdent('a\0b')).toThrow('NUL')
  })

  it('quotes literals, with E-syntax when backslashes are present', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'")
    expect(quoteLiteral('2030-01-01T00:00:00.000Z')).toBe("'2030-01-01T00:00:00.000Z'")
    expect(quoteLiteral("a\\'b")).toBe(" E'a\\\\''b'")
    expect(() => quoteLiteral('\0')).toThrow('NUL')
  })
})

describe('generated users and passwords', () => {
  it('makes lower-case, identifier-safe, unique user names of at most 63 bytes', () => {
    const names = new Set(Array.from({length: 50}, () => generatedUsername('Read-Only.Role')))
    expect(names.size).toBe(50)
    for (const name of names) expect(name).toMatch(/^bella_read_only_role_[0-9a-f]{10}$/)
    expect(generatedUsername('x'.repeat(63)).length).toBeLessThanOrEqual(63)
    expect(generatedUsername('---')).toMatch(/^bella_role_[0-9a-f]{10}$/)
  })

  it('makes 32-character passwords that differ every time', () => {
    const passwords = new Set(Array.from({length: 50}, () => generatedPassword()))
    expect(passwords.size).toBe(50)
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9\-_.~@%+=:^,]{32}$/)
  })

  it('builds a SCRAM-SHA-256 verifier in PostgreSQL’s format, salted per call', async () => {
    const salt = Buffer.alloc(16, 7)
    const a = await scramSha256Verifier('pencil', {salt, iterations: 4096})
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/)
    expect(await scramSha256Verifier('pencil', {salt, iterations: 4096})).toBe(a)
    expect(await scramSha256Verifier('pencil')).not.toBe(await scramSha256Verifier('pencil'))
    expect(a).not.toContain('pencil')
  })
})

describe('connection URLs', () => {
  const endpoint = parseAdminUrl('postgres://admin:s3cret@127.0.0.1:54329/app?sslmode=disable&password=x')

  it('percent-encodes user, password and database so every parser gets them back', () => {
    const user = 'bella_u@x:y/z'
    const password = "p@ss:w/rd?#[]%41+=&^,~ 'é"
    const url = connectionUrl(endpoint, 'my db', user, password)
    expect(url.startsWith('postgresql://')).toBe(true)
    expect(url).toContain('@127.0.0.1:54329/my%20db?sslmode=disable')
    expect(url).not.toContain('password=')
    const parsed = new URL(url)
    expect(decodeURIComponent(parsed.username)).toBe(user)
    expect(decodeURIComponent(parsed.password)).toBe(password)
    const pg = parsePgUrl(url)
    expect(pg.user).toBe(user)
    expect(pg.password).toBe(password)
    expect(pg.host).toBe('127.0.0.1')
    expect(pg.port).toBe('54329')
    expect(pg.database).toBe('my db')
  })

  it('round-trips every generated password', () => {
    for (let i = 0; i < 200; i++) {
      const password = generatedPassword()
      expect(parsePgUrl(connectionUrl(endpoint, 'app', 'u', password)).password).toBe(password)
    }
  })

})

describe('the admin URL', () => {
  it('reads host, database and user, never keeping the password', () => {
    const e = parseAdminUrl('postgresql://bella_admin:topsecret@localhost:5432/bella_test')
    expect(e).toEqual({hostPort: 'localhost:5432', database: 'bella_test', user: 'bella_admin', params: []})
    expect(JSON.stringify(e)).not.toContain('topsecret')
    expect(parseAdminUrl('postgres://a:b@[::1]:5432').database).toBe('postgres')
  })

  it('swaps the database for the admin pool', () => {
    expect(adminUrlFor('postgres://a:b%40c@127.0.0.1:5432/one?sslmode=disable', 'two')).toBe('postgres://a:b%40c@127.0.0.1:5432/two?sslmode=disable')
  })

  it('refuses other schemes and hosts off this machine, without echoing the password', () => {
    const messages: string[] = []
    const urls = [
      'mysql://a:topsecret@127.0.0.1/x',
      'postgres://a:topsecret@db.example.com:5432/x',
      'postgres://a:topsecret@10.0.0.5/x',
      'not a url topsecret',
      'postgres://a:topsecret@127.0.0.1/x?host=db.example.com',
    ]
    for (const url of urls) {
      try {
        parseAdminUrl(url)
        messages.push('accepted')
      } catch (error) {
        messages.push((error as Error).message)
      }
    }
    expect(messages[0]).toContain('must start with postgres://')
    expect(messages[1]).toContain('only connects to a PostgreSQL server on this machine')
    expect(messages[2]).toContain('not 10.0.0.5')
    expect(messages[3]).toContain('is not a URL')
    expect(messages[4]).toContain('must name a TCP host on this machine')
    for (const m of messages) expect(m).not.toContain('topsecret')
  })
})
