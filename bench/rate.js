// Latency at a held rate for bench/load.sh: an open loop. Request i is due at start + i / RATE whatever the
// answers' speed, and its latency counts from that due time, so a slow answer cannot hide its delay by
// holding the sender back (no coordinated omission). Same bodies, token and checks as webhook.lua (CLOSED:
// decisions that failed closed, with a reason such as timeout instead of rules).
// With BENCH_READ_BACK=1 (the service), every 50th decision is read back with GET /v1/decisions/<id> as soon as
// its answer arrives: it must already be in the store (CONTRACT.md section 6).
//   node bench/rate.js URL RATE SECONDS [CONNECTIONS]   (BENCH_BODIES, BENCH_TOKEN in the environment)
// autocannon's -R was used before: it lets each connection send back to back until it has made its share
// of the second, then waits for the next second, so "half the peak" was bursts at full load (bench/README.md).
'use strict'
const fs = require('fs')
const http = require('http')

const [url, rateArg, secondsArg, connArg] = process.argv.slice(2)
const rate = Number(rateArg)
const seconds = Number(secondsArg)
const target = new URL(url)
const texts = fs.readFileSync(process.env.BENCH_BODIES, 'utf8').split('\n').filter(Boolean)
// fifo: every socket stays in use, so none idles past gunicorn's keep-alive (2 s) and is closed under a send
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connArg || 64), scheduling: 'fifo' })
const auth = 'Bearer ' + process.env.BENCH_TOKEN
const total = Math.round(rate * seconds)
const latencies = []
let sent = 0
let checked = 0
let bad = 0
let closed = 0
const errors = {}
let maxLate = 0
let readAsked = 0
let readFound = 0
let readDone = 0
const readBack = process.env.BENCH_READ_BACK === '1'
let start = 0
let sendSeconds = 0
const run = process.env.BENCH_RUN || 'rate'  // distinct ids from one measurement to the next
const idOf = (i) => run + '-' + i

function send (i, due) {
  const body = '{"id":"' + idOf(i) + '","text":' + texts[i % texts.length] + '}'
  const req = http.request({
    agent,
    host: target.hostname,
    port: target.port,
    method: 'POST',
    path: '/v1/moderate',
    headers: { 'content-type': 'application/json', authorization: auth, 'content-length': Buffer.byteLength(body) }
  }, (res) => {
    const chunks = []
    res.on('data', (c) => chunks.push(c))
    res.on('end', () => {
      checked += 1
      latencies.push(performance.now() - due)
      const text = Buffer.concat(chunks).toString()
      if (res.statusCode !== 200 || !text.includes('"decision"')) bad += 1
      else {
        if (!text.includes('"reasons":[]')) closed += 1
        if (readBack && i % 50 === 0) read(idOf(i))
      }
    })
  })
  req.setTimeout(10000, () => req.destroy(new Error('timeout')))
  req.on('error', (e) => {
    checked += 1
    bad += 1
    errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1
    latencies.push(performance.now() - due)
  })
  req.end(body)
}

function read (id) {
  readAsked += 1
  http.get({ agent, host: target.hostname, port: target.port, path: '/v1/decisions/' + id, headers: { authorization: auth } },
    (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        readDone += 1
        if (res.statusCode === 200 && Buffer.concat(chunks).toString().includes('"' + id + '"')) readFound += 1
      })
    }).on('error', () => { readDone += 1 })
}

function tick () {
  const now = performance.now()
  while (sent < total && start + sent * 1000 / rate <= now) {
    const due = start + sent * 1000 / rate
    maxLate = Math.max(maxLate, now - due)
    send(sent, due)
    sent += 1
  }
  if (sent < total) setTimeout(tick, 1)
  else {
    sendSeconds = (performance.now() - start) / 1000
    finish(performance.now() + 10000)
  }
}

function finish (deadline) {
  if ((checked < sent || readDone < readAsked) && performance.now() < deadline) { setTimeout(() => finish(deadline), 5); return }
  latencies.sort((a, b) => a - b)
  const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN
  const unanswered = sent - checked
  console.log(`RATE ${(sent / sendSeconds).toFixed(0)} P50 ${q(0.5).toFixed(1)} P99 ${q(0.99).toFixed(1)} ` +
    `MAX ${q(1).toFixed(1)} CHECKED ${checked} BAD ${bad + unanswered} CLOSED ${closed} LATE ${maxLate.toFixed(1)} ` +
    `ERRORS ${Object.entries(errors).map(([k, v]) => k + ':' + v).join(',') || 0}` +
    (readBack ? ` READ_BACK ${readFound}/${readAsked}` : ''))
  agent.destroy()
}

start = performance.now()
tick()
