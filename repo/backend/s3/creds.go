package s3

import (
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// newCredentials returns the provider chain for cfg: the static key
// first, then the profile of the shared credentials file. With neither,
// requests are anonymous.
func newCredentials(cfg Config) *credentials.Credentials {
	providers := []credentials.Provider{
		&credentials.Static{Value: credentials.Value{
			AccessKeyID:     cfg.KeyID,
			SecretAccessKey: cfg.Secret.Reveal(),
			SessionToken:    cfg.SessionToken.Reveal(),
			SignerType:      credentials.SignatureV4,
		}},
	}
	if cfg.CredentialsFile != "" {
		profile := cfg.Profile
		if profile == "" {
			profile = "default"
		}
		providers = append(providers, &credentials.FileAWSCredentials{Filename: cfg.CredentialsFile, Profile: profile})
	}
	return credentials.NewChainCredentials(providers)
}
