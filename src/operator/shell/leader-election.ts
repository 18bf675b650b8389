import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { errorFields, type Logger } from '../../shared/logger.js';
import { decideLease, leadershipDeadline, mayActAsLeader, observeLease, validateLeaseTimings, type LeaseTimings, type ObservedLease } from '../core/lease-decision.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly timings: LeaseTimings;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease. Every write carries the resourceVersion it
 * read, so of two candidates that decide to take the lease at once only one succeeds. A candidate
 * judges expiry by its own clock since it last saw the record change (`observeLease`), never by
 * the holder's timestamps. A leader acts only within the renew deadline of its last successful
 * renewal: a timer steps it down
 * then, and `isLeader` says false from that moment even if the timer or the renew loop is late
 * (a busy event loop, a renewal hanging on a slow API server), so it stops before anybody else
 * may take the lease over.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private leading = false;
  private lastRenew: number | undefined;
  private observed: ObservedLease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stepDownTimer: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(kc: KubeConfig, private readonly options: LeaderElectionOptions, private readonly log: Logger) {
    validateLeaseTimings(options.timings);
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading && mayActAsLeader(this.lastRenew, this.options.timings.renewDeadlineMs, Date.now());
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Stops campaigning; a leader releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.stepDownTimer);
    await this.loop;
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace });
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined };
      await this.api.replaceNamespacedLease({ name: this.options.name, namespace: this.options.namespace, body: lease });
    } catch (error) {
      this.log.warn('could not release the leader lease', { namespace: this.options.namespace, name: this.options.name, ...errorFields(error) });
    }
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.loop = this.tryOnce().finally(() => this.schedule(this.options.timings.retryPeriodMs));
    }, ms);
  }

  private async tryOnce(): Promise<void> {
    const { namespace, name, identity, timings } = this.options;
    const leaseDurationSeconds = timings.leaseDurationMs / 1000;
    const now = Date.now();
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await this.api.readNamespacedLease({ name, namespace });
      } catch (error) {
        if ((error as { code?: number }).code !== 404) throw error;
      }
      const state = lease && {
        holderIdentity: lease.spec?.holderIdentity,
        renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : undefined,
        leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
        leaseTransitions: lease.spec?.leaseTransitions,
      };
      this.observed = observeLease(this.observed, state, now);
      const decision = decideLease(state, identity, now, this.observed.at);
      if (decision.action === 'wait') {
        this.setLeading(false);
        return;
      }
      const stamp = new V1MicroTime(now);
      const spec = {
        ...lease?.spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: stamp,
        ...(decision.action === 'acquire' ? { acquireTime: stamp, leaseTransitions: decision.transitions } : {}),
      };
      if (!lease) await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
      else await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
      this.lastRenew = now;
      // A renewal that took too long to answer no longer covers the present.
      if (!mayActAsLeader(now, timings.renewDeadlineMs, Date.now())) {
        this.log.warn('lease renewed too late to act on', { namespace, name, identity, tookMs: Date.now() - now });
        this.setLeading(false);
        return;
      }
      this.setLeading(true);
      this.armStepDown(now);
    } catch (error) {
      // A conflict means another candidate wrote first; anything else is an API problem.
      if ((error as { code?: number }).code !== 409) this.log.warn('leader election attempt failed', { namespace, name, ...errorFields(error) });
      if (this.leading && !mayActAsLeader(this.lastRenew, timings.renewDeadlineMs, Date.now())) this.setLeading(false);
    }
  }

  private armStepDown(renewSentAt: number): void {
    clearTimeout(this.stepDownTimer);
    this.stepDownTimer = setTimeout(() => {
      if (this.lastRenew !== renewSentAt || !this.leading) return;
      this.log.warn('lease not renewed in time; stepping down', { namespace: this.options.namespace, name: this.options.name, identity: this.options.identity });
      this.setLeading(false);
    }, Math.max(0, leadershipDeadline(renewSentAt, this.options.timings.renewDeadlineMs) - Date.now()));
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info(leading ? 'became leader' : 'stopped leading', { namespace: this.options.namespace, name: this.options.name, identity: this.options.identity });
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }
}
