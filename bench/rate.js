// Latency at a held rate for bench/load.sh: autocannon's overallRate keeps R requests/s whatever the
// answers' speed (no coordinated omission from a closed loop). Same bodies, token and checks as webhook.lua.
// node bench/rate.js URL RATE SECONDS   (BENCH_BODIES, BENCH_TOKEN in the environment; NODE_PATH to autocannon)
'use strict'
const fs = require('fs')
const autocannon = require('autocannon')

const [url, rate, seconds] = process.argv.slice(2)
const texts = fs.readFileSync(process.env.BENCH_BODIES, 'utf8').split('\n').filter(Boolean)
let n = 0
let bad = 0
let checked = 0
autocannon({
  url,
  connections: 16,
  overallRate: Number(rate),
  duration: Number(seconds),
  requests: [{
    method: 'POST',
    path: '/v1/moderate',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.BENCH_TOKEN },
    setupRequest (req) {
      n += 1
      req.body = '{"id":"ac-' + n + '","text":' + texts[n % texts.length] + '}'
      return req
    },
    onResponse (status, body) {
      checked += 1
      if (status !== 200 || !body.includes('"decision"')) bad += 1
    }
  }]
}, (err, result) => {
  if (err) { console.error(err); process.exit(1) }
  const l = result.latency
  console.log(`RATE ${(result.requests.total / Number(seconds)).toFixed(0)} P50 ${l.p50} P99 ${l.p99} MAX ${l.max} ` +
    `CHECKED ${checked} BAD ${bad + result.non2xx + result.errors + result.timeouts}`)
})
