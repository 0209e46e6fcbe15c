// The official JavaScript client against `fake-tasks serve`, scripted only over the control API.
// Run by tests/test_node_client.py as: fake-tasks serve --port 0 -q -- node --test <this file>
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, errors } from '@elastic/elasticsearch'

const url = process.env.FAKE_TASKS_URL
assert.ok(url, 'FAKE_TASKS_URL is set by `fake-tasks serve ... -- node --test`')
const client = new Client({ node: url, maxRetries: 0, requestTimeout: 10000 })

async function control (method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: response.status, body: await response.json() }
}

test('list, get, cancel, a fault and a stub, scripted over HTTP', async () => {
  const reset = await control('POST', '/_fake_tasks/_reset', { seed: 1, tasks: 0, tick: '1s' })
  assert.equal(reset.status, 200)

  const added = await control('POST', '/_fake_tasks/tasks', {
    action: 'indices:data/write/reindex',
    description: 'reindex from [src] to [dst]',
    children: [{ action: 'indices:data/write/bulk' }]
  })
  assert.equal(added.status, 201)
  const id = added.body.task.id
  const child = added.body.task.children[0]

  const listed = await client.tasks.list({ detailed: true, group_by: 'parents', actions: 'indices:*' })
  assert.deepEqual(Object.keys(listed.tasks), [id])
  assert.equal(listed.tasks[id].description, 'reindex from [src] to [dst]')
  assert.equal(listed.tasks[id].children[0].node + ':' + listed.tasks[id].children[0].id, child)

  const running = await client.tasks.get({ task_id: id })
  assert.equal(running.completed, false)

  const slow = await control('POST', `/_fake_tasks/tasks/${id}/_slow_cancel`, { delay: '1h' })
  assert.equal(slow.status, 200)
  const cancelled = await client.tasks.cancel({ task_id: id })
  assert.ok(cancelled.nodes)
  const after = await client.tasks.get({ task_id: id })
  assert.equal(after.completed, false)
  assert.equal(after.task.cancelled, true)

  const fault = await control('POST', '/_fake_tasks/faults', {
    fault: { kind: 'error', type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];', status: 503 },
    api: 'tasks.get',
    times: 1
  })
  assert.equal(fault.status, 201)
  await assert.rejects(client.tasks.get({ task_id: id }), (error) => {
    assert.ok(error instanceof errors.ResponseError)
    assert.equal(error.meta.statusCode, 503)
    assert.equal(error.body.error.type, 'cluster_block_exception')
    return true
  })
  assert.equal((await client.tasks.get({ task_id: id })).completed, false)

  const stub = await control('POST', '/_fake_tasks/stubs', {
    method: 'GET', path: '/_cluster/settings', json: { persistent: { 'cluster.routing.allocation.enable': 'all' }, transient: {} }
  })
  assert.equal(stub.status, 201)
  const settings = await client.cluster.getSettings()
  assert.equal(settings.persistent['cluster.routing.allocation.enable'], 'all')

  const journal = await control('GET', '/_fake_tasks/journal?size=100')
  assert.deepEqual(journal.body.exchanges.map((e) => [e.api, e.status]), [
    ['tasks.list', 200], ['tasks.get', 200], ['tasks.cancel', 200], ['tasks.get', 200],
    ['tasks.get', 503], ['tasks.get', 200], [null, 200]
  ])
  const verify = await control('GET', '/_fake_tasks/verify')
  assert.equal(verify.body.ok, true, JSON.stringify(verify.body))
  await client.close()
})
