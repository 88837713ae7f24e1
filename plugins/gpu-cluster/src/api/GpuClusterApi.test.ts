import { GpuClusterClient } from './GpuClusterApi';

const VIEW = {
  userEntityRef: 'user:default/guest',
  ownershipEntityRefs: ['user:default/guest'],
  admin: false,
  groups: [],
  refusal: 'no group',
};

function clientWith(responses: Array<() => Response>) {
  let now = 1_000_000;
  const fetch = jest.fn(async (_url: string) => responses.shift()!());
  const client = new GpuClusterClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: { fetch: fetch as any },
    now: () => now,
  });
  return { client, fetch, advance: (ms: number) => (now += ms) };
}

const ok = () =>
  new Response(JSON.stringify(VIEW), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });
const unavailable = () =>
  new Response(
    JSON.stringify({
      error: { name: 'Error', message: 'down' },
      response: { statusCode: 503 },
    }),
    { status: 503, headers: { 'Content-Type': 'application/json' } },
  );

describe('GpuClusterClient.getStackPolicy', () => {
  it('serves the checks of one Next from one request, and asks again later', async () => {
    const { client, fetch, advance } = clientWith([ok, ok]);
    const answers = await Promise.all([
      client.getStackPolicy(),
      client.getStackPolicy(),
      client.getStackPolicy(),
    ]);
    expect(answers).toEqual([VIEW, VIEW, VIEW]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/gpu-cluster/stack/policy',
      undefined,
    );
    advance(9_000);
    await client.getStackPolicy();
    expect(fetch).toHaveBeenCalledTimes(1);
    advance(2_000);
    await client.getStackPolicy();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed answer', async () => {
    const { client, fetch } = clientWith([unavailable, ok]);
    await expect(client.getStackPolicy()).rejects.toThrow(/503|down/);
    await expect(client.getStackPolicy()).resolves.toEqual(VIEW);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
