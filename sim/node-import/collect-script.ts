/**
 * The script that collects what `pullsim import` (and `pullsim audit`) read from one node, printed by
 * `pullsim audit --collect-script` and `pullsim import --collect-script` (docs/audit.md "Collecting"). POSIX sh;
 * the cluster part runs wherever kubectl works, the node part on the node as root. It writes the layout
 * `readSnapshot` expects (layout.ts).
 */
export const COLLECT_SCRIPT = `#!/bin/sh
# Collects one node's image-pull state for \`pullsim audit DIR\` or \`pullsim import DIR\`
# (docs/audit.md "Collecting").
#
#   sh collect.sh cluster NODE DIR   # where kubectl works; needs get/list on pods, secrets, serviceaccounts
#                                    # and namespaces in every namespace, get on the node and on nodes/proxy
#   sh collect.sh node DIR           # on the node, as root: crictl talks to the runtime's socket and tar
#                                    # reads the kubelet's root directory (0700)
#
# Then put both parts in one DIR. DIR holds pull secrets and the node's docker config: keep it private and
# delete it once imported (pullsim replaces every credential it reads; nothing of them reaches its output).
set -eu
umask 077
case "\${1:-}" in
cluster)
  NODE="\${2:?usage: collect.sh cluster NODE DIR}"
  DIR="\${3:?usage: collect.sh cluster NODE DIR}"
  mkdir -p "$DIR"
  kubectl get node "$NODE" -o yaml > "$DIR/node.yaml"
  kubectl get --raw "/api/v1/nodes/$NODE/proxy/configz" > "$DIR/configz.json"
  kubectl get pods,secrets,serviceaccounts,namespaces -A -o yaml > "$DIR/objects.yaml"
  ;;
node)
  DIR="\${2:?usage: collect.sh node DIR}"
  ROOT="\${KUBELET_ROOT:-/var/lib/kubelet}"
  mkdir -p "$DIR"
  crictl images -o json > "$DIR/images.json"
  if [ -d "$ROOT/image_manager" ]; then
    tar -C "$ROOT" -czf "$DIR/image_manager.tar.gz" image_manager
  fi
  if [ -f "$ROOT/config.json" ]; then
    cp "$ROOT/config.json" "$DIR/config.json"
  fi
  ;;
*)
  echo "usage: collect.sh cluster NODE DIR | collect.sh node DIR" >&2
  exit 2
  ;;
esac
`;
