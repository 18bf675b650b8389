import type { Selection } from './selection.js';

/** "Installed it and see nothing" was the reference mapper's most common complaint: say why. */
export function noneFoundHint(selection: Selection): string {
  const scope = selection.namespaces.length > 0 ? ` in namespace${selection.namespaces.length > 1 ? 's' : ''} ${selection.namespaces.join(', ')}` : '';
  const server = selection.server ? ` calling ${selection.server.name}.${selection.server.namespace}` : '';
  const excluding = selection.excludeServices.length + selection.excludeLabels.length > 0 ? ' (after --exclude-services/--exclude-labels)' : '';
  const which = selection.includeUserManaged ? 'ClientIntents' : 'ClientIntents managed by network-mapper';
  const hint = selection.includeUserManaged
    ? 'Is network-mapper running, and has it seen traffic yet?'
    : 'Is network-mapper running, and has it seen traffic yet? Add --all to include ClientIntents written by others.';
  return `No ${which} found${scope}${server}${excluding}. ${hint}`;
}
