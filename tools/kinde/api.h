/* kinde api (api.c): the Management API command of the kinde CLI. */
#ifndef KINDE_CLI_API_H
#define KINDE_CLI_API_H

/* argv: what follows "api". Returns the exit status. */
int kinde_cli_api(const char *env_file, int argc, char **argv);

#endif
