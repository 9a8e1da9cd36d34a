"""Settings package: `base` holds everything shared; `local` (default), `production` and `test`
choose per environment. Every deploy-time value is read from the environment in `base`/`env`."""
