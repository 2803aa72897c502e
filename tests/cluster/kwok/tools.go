//go:build tools

package kwokbin

import _ "sigs.k8s.io/kwok/cmd/kwok"
