module librootly.dev/examples

go 1.22

require librootly.dev/rootly v0.1.0

// In the repository the module is next door; outside it, drop this line
// and `go get librootly.dev/rootly` (with librootly installed for pkg-config).
replace librootly.dev/rootly => ../../bindings/go
