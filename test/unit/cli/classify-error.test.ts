import { expect } from 'chai';
import { classifyError, connectionProblem, timeoutError, type RequestContext } from '../../../src/cli/core/classify-error.js';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { errorFields } from '../../../src/shared/logger.js';

const everywhere: RequestContext = { server: 'https://10.0.0.1:6443', verb: 'list', resource: 'clientintents.k8s.otterize.com' };
const inShop: RequestContext = { ...everywhere, namespace: 'shop' };

/** The shape of client-node's ApiException: code, body (a Status as a string) and headers. */
function apiException(code: number, reason: string, message: string): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ...\nHeaders: {"authorization":"Bearer secret"}`), {
    code,
    body: JSON.stringify({ kind: 'Status', reason, message }),
    headers: { authorization: 'Bearer secret' },
  });
}

function classify(error: unknown, context = everywhere): { exitCode: number; message: string } {
  const { exitCode, message } = classifyError(errorFields(error), connectionProblem(error), context);
  return { exitCode, message };
}

describe('cli error classification', () => {
  it('calls a refused connection unreachable and names the server', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    expect(classify(refused)).to.deep.equal({
      exitCode: exitCodes.unreachable,
      message: 'cannot reach the Kubernetes API server at https://10.0.0.1:6443 (ECONNREFUSED). Is the cluster running, and is this the right kubeconfig/context?',
    });
    expect(classify(new TypeError('fetch failed', { cause: new Error('bad port') })).exitCode).to.equal(exitCodes.unreachable);
    expect(timeoutError(everywhere, 5)).to.include({ exitCode: exitCodes.unreachable });
  });

  it('calls a 404 a missing CRD and says how to install one', () => {
    const { exitCode, message } = classify(Object.assign(new Error('HTTP-Code: 404'), { code: 404, body: '404 page not found\n' }));
    expect(exitCode).to.equal(exitCodes.crdMissing);
    expect(message).to.include('Otterize Intents Operator / network-mapper ClientIntents CRD is not installed');
    expect(message).to.include('config/crd/optional');
  });

  it('calls a 403 forbidden with the verb, resource and scope, without headers', () => {
    const { exitCode, message } = classify(apiException(403, 'Forbidden', 'clientintents.k8s.otterize.com is forbidden: User "system:serviceaccount:ops:viewer" cannot list resource "clientintents"'), inShop);
    expect(exitCode).to.equal(exitCodes.forbidden);
    expect(message).to.match(/^forbidden: cannot list clientintents.k8s.otterize.com in namespace shop \(/);
    expect(message).to.include('kubectl auth can-i list clientintents.k8s.otterize.com -n shop');
    expect(message).not.to.include('secret');
    expect(classify(apiException(401, 'Unauthorized', 'Unauthorized')).exitCode).to.equal(exitCodes.forbidden);
  });

  it('calls anything else unexpected, with status code and message only', () => {
    const { exitCode, message } = classify(apiException(500, 'InternalError', 'etcd leader changed'));
    expect(exitCode).to.equal(exitCodes.unexpected);
    expect(message).to.equal('list clientintents.k8s.otterize.com in all namespaces failed (HTTP 500 InternalError): etcd leader changed');
    expect(classify(new Error('something odd')).exitCode).to.equal(exitCodes.unexpected);
  });
});
