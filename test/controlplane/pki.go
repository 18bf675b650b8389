package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type pkiFiles struct {
	caCert, caKey           string
	servingCert, servingKey string
	adminCert, adminKey     string
	saKey                   string
	// With a node: the client certificates of its components, and its kubelet's serving certificate.
	components                            []componentCert
	kubeletServingCert, kubeletServingKey string
}

type componentCert struct{ name, cert, key string }

// writePKI makes a throw-away CA, a serving certificate for loopback and the in-cluster names,
// an admin client certificate in system:masters, and the ServiceAccount signing key.
// A node's kubelet reaches the API server at its advertised address, which the serving
// certificate then names too.
func writePKI(dir, advertise, nodeName, nodeIP string) (*pkiFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f := &pkiFiles{
		caCert: filepath.Join(dir, "ca.crt"), caKey: filepath.Join(dir, "ca.key"),
		servingCert: filepath.Join(dir, "apiserver.crt"), servingKey: filepath.Join(dir, "apiserver.key"),
		adminCert: filepath.Join(dir, "admin.crt"), adminKey: filepath.Join(dir, "admin.key"),
		saKey: filepath.Join(dir, "sa.key"),
	}
	now := time.Now().Add(-time.Hour)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "netmap-test-ca"},
		NotBefore:             now,
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := writeCert(f.caCert, caDER); err != nil {
		return nil, err
	}
	if err := writeKey(f.caKey, caKey); err != nil {
		return nil, err
	}

	serving := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now,
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.96.0.1")},
	}
	if ip := net.ParseIP(advertise); ip != nil {
		serving.IPAddresses = append(serving.IPAddresses, ip)
	}
	if err := issue(serving, ca, caKey, f.servingCert, f.servingKey); err != nil {
		return nil, err
	}
	admin := &x509.Certificate{
		SerialNumber: big.NewInt(3),
		Subject:      pkix.Name{CommonName: "netmap-admin", Organization: []string{"system:masters"}},
		NotBefore:    now,
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if err := issue(admin, ca, caKey, f.adminCert, f.adminKey); err != nil {
		return nil, err
	}

	if nodeName != "" {
		// The identities kubeadm gives them, which the Node authorizer and the default RBAC
		// bindings (system:node-proxier, system:kube-scheduler) know.
		identities := []struct{ name, user, group string }{
			{"kubelet", "system:node:" + nodeName, "system:nodes"},
			{"kube-proxy", "system:kube-proxy", ""},
			{"kube-scheduler", "system:kube-scheduler", ""},
		}
		for i, id := range identities {
			subject := pkix.Name{CommonName: id.user}
			if id.group != "" {
				subject.Organization = []string{id.group}
			}
			c := componentCert{name: id.name, cert: filepath.Join(dir, id.name+".crt"), key: filepath.Join(dir, id.name+".key")}
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(int64(10 + i)), Subject: subject, NotBefore: now, NotAfter: now.Add(10 * 365 * 24 * time.Hour),
				KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			}
			if err := issue(tmpl, ca, caKey, c.cert, c.key); err != nil {
				return nil, err
			}
			f.components = append(f.components, c)
		}
		f.kubeletServingCert, f.kubeletServingKey = filepath.Join(dir, "kubelet-serving.crt"), filepath.Join(dir, "kubelet-serving.key")
		servingKubelet := &x509.Certificate{
			SerialNumber: big.NewInt(20), Subject: pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}},
			NotBefore: now, NotAfter: now.Add(10 * 365 * 24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames: []string{nodeName},
		}
		if ip := net.ParseIP(nodeIP); ip != nil {
			servingKubelet.IPAddresses = []net.IP{ip}
		}
		if err := issue(servingKubelet, ca, caKey, f.kubeletServingCert, f.kubeletServingKey); err != nil {
			return nil, err
		}
	}

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if err := writeKey(f.saKey, saKey); err != nil {
		return nil, err
	}
	return f, nil
}

func issue(tmpl, ca *x509.Certificate, caKey crypto.Signer, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writeCert(certPath, der); err != nil {
		return err
	}
	return writeKey(keyPath, key)
}

func writeCert(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}

func writeKey(path string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func writeKubeconfig(path, server, caCert, clientCert, clientKey string) error {
	read := func(p string) (string, error) {
		b, err := os.ReadFile(p)
		return base64.StdEncoding.EncodeToString(b), err
	}
	ca, err := read(caCert)
	if err != nil {
		return err
	}
	cert, err := read(clientCert)
	if err != nil {
		return err
	}
	key, err := read(clientKey)
	if err != nil {
		return err
	}
	doc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: netmap-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: netmap-test
  context: {cluster: netmap-test, user: admin}
current-context: netmap-test
`, server, ca, cert, key)
	return os.WriteFile(path, []byte(doc), 0o600)
}
