/* The Debian JSON libraries against src/jsonscan.c on the benchmark's access
 * token payload (ns per parse, best of 5), and what each refuses of the
 * cases a token parser must refuse (BENCHMARKS.md, "Choosing the parser").
 * Not part of make bench; json-c's headers clash with jansson's, so its
 * parse is in jsonc.c. From the repository root, after make bench built
 * build-bench:
 *   apt-get install libjson-c-dev libcjson-dev
 *   clang -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     bench/json_libs/json_libs.c bench/json_libs/jsonc.c build-bench/src/libkinde.a \
 *     -ljansson -lcjson -ljson-c -lcrypto -lcurl -lpthread -o build-bench/json_libs
 *   build-bench/json_libs */
#include "internal.h"
#include <cjson/cJSON.h>
int p_jsonc(const char *s, size_t n);
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now_ns(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static const char *P = "{\"aud\":[\"api.yourapp.com\"],\"azp\":\"cid\",\"exp\":1764640000,\"iat\":1764550000,"
 "\"iss\":\"https://acme.kinde.com\",\"jti\":\"fbb6bc62-4a6b-4b5b-a7c8-c2a1f3a5b1c2\",\"sub\":\"kp_0ba7c433f3d54d1d\","
 "\"org_code\":\"org_1234\",\"permissions\":[\"read:todos\",\"create:todos\",\"update:todos\"],"
 "\"scp\":[\"openid\",\"profile\",\"email\",\"offline\"],"
 "\"roles\":[{\"id\":\"r1\",\"key\":\"admin\",\"name\":\"Admin\"}],"
 "\"feature_flags\":{\"theme\":{\"t\":\"s\",\"v\":\"pink\"},\"is_dark_mode\":{\"t\":\"b\",\"v\":true},"
 "\"competitions_limit\":{\"t\":\"i\",\"v\":5}}}";
static int p_jansson(const char *s, size_t n){json_t *j=json_loadb(s,n,JSON_REJECT_DUPLICATES,NULL);int ok=j&&json_is_object(j);json_decref(j);return ok;}
static int p_cjson(const char *s, size_t n){const char *end=NULL;cJSON *j=cJSON_ParseWithLengthOpts(s,n,&end,0);int ok=j&&cJSON_IsObject(j)&&end==s+n;cJSON_Delete(j);return ok;}
static int p_scan(const char *s, size_t n){char buf[4096];memcpy(buf,s,n);buf[n]=0;kinde__jdoc *d=NULL;const char *w;int rc=kinde__jdoc_parse(buf,n,&d,&w);kinde__jdoc_free(d);return rc==0;}
int main(void){
 struct {const char*name;int(*f)(const char*,size_t);} L[]={{"jansson 2.14",p_jansson},{"json-c 0.16 (strict)",p_jsonc},{"cJSON 1.7.15",p_cjson},{"jsonscan.c",p_scan}};
 const char *cases[]={"{\"a\":1,\"a\":2}","{\"a\":\"\\ud800\"}","{\"a\":\"\\u0000\"}","{\"a\":01}","{\"a\":[1,]}","{\"a\":99999999999999999999}","{\"a\":\"\xed\xa0\x80\"}","{\"a\":\"\xc0\xaf\"}","{\"a\":1}x","{\"a\":\"\x01\"}"};
 size_t n=strlen(P); printf("payload %zu bytes\n",n);
 for(int k=0;k<4;k++){ if(!L[k].f(P,n)){printf("%s refuses the payload\n",L[k].name);continue;}
  double best=1e18; for(int r=0;r<5;r++){double t0=now_ns(); for(int i=0;i<20000;i++) L[k].f(P,n); double t=(now_ns()-t0)/20000; if(t<best)best=t;}
  printf("%-22s %7.0f ns/parse (best of 5)  refuses:", L[k].name, best);
  for(size_t c=0;c<sizeof cases/sizeof*cases;c++) printf(" %s", L[k].f(cases[c],strlen(cases[c]))?"NO":"yes");
  printf("\n");}
 printf("cases: dup, lone surrogate, \\u0000, leading zero, trailing comma, int > int64, UTF-8 surrogate, overlong UTF-8, trailing data, control char\n");
}
