/*
 * QEMU Crypto Adiantum tests
 *
 * Known answers:
 *  - Adiantum(XChaCha12, AES-256): the reference implementation's vectors
 *    in Linux's format (github.com/google/adiantum,
 *    benchmark/testvectors/adiantum_testvecs_linux.h, whose table is the
 *    adiantum_xchacha12_aes_tv_template of Linux's crypto/testmgr.h), all
 *    six: 16, 31, 128, 512, 1536 and 4096 bytes.  The 32-byte "iv" is the
 *    tweak;
 *  - XChaCha12: github.com/google/adiantum,
 *    test_vectors/ours/XChaCha/XChaCha12_32.json, 64-byte keystream blocks
 *    at a given block offset;
 *  - NH: github.com/google/adiantum, test_vectors/ours/NH/NH.json;
 *  - Poly1305: RFC 8439, section 2.5.2 and appendix A.3.
 *
 * All of them run on each implementation of XChaCha12 and NH this CPU
 * runs (/crypto/adiantum/IMPL/...: "c", and "sse2", "avx2" and "avx512"
 * or "neon"),
 * and each SIMD one is compared with the portable one on every length
 * around its block and unit sizes, keystream counters that carry into
 * the high word and wrap, and whole Adiantum messages.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/init.h"
#include "crypto/adiantum.h"
#include "crypto-hex.h"

/*
 * Adiantum
 */

typedef struct AdiantumVector {
    const char *name;
    const char *key;
    const char *tweak;
    const char *ptx;
    const char *ctx;
} AdiantumVector;

static const AdiantumVector adiantum_vectors[] = {
    {
        .name = "16",
        .key = "9eebb2493c1cf5f46a99c2c4dfb1f4dd"
               "752057ea2c4fcdb2a53d7b491eabfd0f",
        .tweak = "df63d4abd249f3d8338137607dfa7308"
                 "d8496d80e82f6254eb0ea9395b457f8a",
        .ptx = "67c9f23084418e43fbf3b33e79367fe8",
        .ctx = "6d32861867860f3f967c9d280d53ec9f",
    }, {
        .name = "31",
        .key = "362b5797f85dcd995f1a5a441d920f27"
               "cc16d72b856399d3ba96a1dbd26068da",
        .tweak = "ef5869b12c5e9a4724c1b169e112938f"
                 "433d6d00db5ed8d9129afed9ff2daac4",
        .ptx = "5ea8681985981223260accdb0a04b9df"
               "4db3487bb0e3c819435a4606942df2",
        .ctx = "c7c6f1738fc4ff4a39be78be8d28c889"
               "4663e70c7d87e84ec9187bbe186050",
    }, {
        .name = "128",
        .key = "a52824341a3cd8f705918fee851f357f"
               "803dfc9b94f6fc9e190900a904314f11",
        .tweak = "a1ba4995ff346db8cd875d5efdea85db"
                 "8a7b5eb25d57dd62aca98c41429475b7",
        .ptx = "69b4e88c37e86782f1ec5d04e5149113"
               "dff2871b69811d71709e9c3bde497011"
               "a0a3db0d544f6669d7db80a7709268ce"
               "81042cc6abaee56015e96fefaa8fa7a7"
               "638ff2f077f1a8eae1b71f9eab9e4b3f"
               "07875b6fcda8afb9fa700b52b8a8a79e"
               "075fa60eb39b791379c33e8d1c2c68c8"
               "511d3c7b7d79772a5665c5542328b003",
        .ctx = "9e16abed4ba7425ac6fb4e76ffbe03a0"
               "0fe3adbae4982b0e2148a0b865482748"
               "845454b29a947be64b29e9cf0591801a"
               "3af34196851d9f74515663fa7c288549"
               "f72ff9f21846f53380a33cceb25793f5"
               "aebda9f57b30c49366e0307716e4a031"
               "ba70bc6813f5b09ac1fc7efe55805c48"
               "74a6aaa3acdcc2f58dde34867860758d",
    }, {
        .name = "512",
        .key = "d381721823ff6f4a2574290d518a0e13"
               "c1535d308dee750d14d669c915a90c60",
        .tweak = "659bd4a87d291df4c4d69b6a28ab64e2"
                 "628197c581aaf944c1725982af16c82c",
        .ptx =
            "c76b526a10f0cc09c1121d6d21a678f505a3696091369857ba0c14ccf32d7303"
            "c6b25fc81627375dd00b87b250947b5804f4e07f6e578ec94184c1b17e4b9112"
            "3a8b5d50827bcbd99ad94e1806239ed4a52098efb5dae5c08a6a837715841eae"
            "78949ddfb7d1ea67aab01415fa672184d3412aceba4b4ae89562a955f080adbd"
            "abafdd4fa57c1336ed5e4f72ad4bf1d0884eec2c88105eea12c0160129a3a055"
            "aa68f3e99d3b0d3b6decf8a02df0908d1ce288d42471f9b3c19fc5d67670c52e"
            "9cacdb90bd8372ba6eb5a55383a9a5bf7d060e3c2ad204b51e19380916d2821f"
            "751856b8960ba6f9cf62d9325da9d71dece4df1bbef136eee37bb52feef8533d"
            "6ab770a9fc9c5725f28910d3b8a88c30ae234f0e13664fe1b6c0e4f8ef93bd6e"
            "15856be360811d68d731878909abd5961df36d6780ca07315da7e4fb3ef29b33"
            "5218c830fe2dca1e79927a605cb65887a436a267928ba4b7f186dfdcc07e8f63"
            "d2a2dc78eb4fd89647cab891f9f794215f9a9f5bb840414b66696a72d0cb70b7"
            "93b5379605374fe58ca75a4e8bb784eac7fc196e1f5aa1ac187d523bb3346299"
            "e49e31043fc08d84177c25485267112767bb5a85ca56b25ce6ecd5963d15fcfb"
            "2225f413e5934b9a77f15218fa165e490345a808fab34192795033cad0d74255"
            "c39a0c4ed9a43c86809f53d1a42ed1bcf1546e93a465998edf29c0646307bbea",
        .ctx =
            "1597d08618039c51c51136621392e6732979dea1003e0864171abcd5fe330e0c"
            "7c94a7c63cbeaca289e6bcdf0c33274246732fba4ea6468fe4ee39634265a388"
            "7aad3323a9a7207f0be66ac360da9eb4d6078a7726d1ab449955035eed8d7bbd"
            "c821b721303fc0b5c8ec6c23a6a36df1300ad0a6a92869ae2ae654ac829d6a95"
            "6f0644c55a776eecf8f863b2e6aabd8e0e8a620003c884dd474ac355bab7e7df"
            "08bf62f5e8bcb611e4cbd0667432cfd4f8518039140512db8793e226309c3a21"
            "e5d038578015e4085805497de6927770fb1e2d6a8400c868f71addf07b381ed8"
            "2c787861cfe3de691fd503d51ab4cf03c87a706835b4f6be9062b2289986f544"
            "99eb31cfcadfd021d660f70f40b480b7abe19b45ba66daeedd04124098e169e5"
            "2b9c5980e77bcc63a6c03aa9fe8af9621134619435fef299fdee19ea95b612bf"
            "1bdf021acc3e7e6578741050296328ea6babd4064d152431c70ac916b648f0bf"
            "49db6871318f87e2130564d6220cf83684243e695eb89e16736c831ee09f9eba"
            "e55921331ba926c2c7d93073b6a6738219fa444d408b69049474ea6eb3094701"
            "2ab978344311edd68c95651b8567a540ac9c054b574aa9960fdd4fa1e0cf6ec7"
            "1beda2b4568c096ea665d75581b7ed119b4075a86b56af168b3df4cbfed51d3d"
            "85c2c0de43394a96ba8897c0d6000e2721b02152baa737aaccbf95a8f4d091f6",
    }, {
        .name = "1536",
        .key = "ebe5113a72eb10be70cfe3eac274a448"
               "290f8f3fcf4c282a4e1e3cc3279f1613",
        .tweak = "843ea27c0672b2ad887665b41a292712"
                 "45b68d0e4b8704fcb5cd1c4de806f1cb",
        .ptx =
            "8eb6079b7ce4a4a2416c241dc0774ed94aa42cb6e455027fc4ecabc25c634092"
            "382462db6582107f21a5393a3f387ead6c7bc93f898fa808bd31573c7a456730"
            "a9275834bee3a4c3ffc29f43f004ba1eb6f3c4ce097a2e427dad97c9779a3a78"
            "6caf7c2a46b441861a20f25b1a60c9c4475d10a4d2156a194fd55137d506701a"
            "3e78f02eaab52abd83097ccb29acd79cbf80fd9dd4cf64caf8c9f1772ebb3926"
            "acd9bece247fbba282baeb5f65c5f1568a52024d45236debb0607bd86eb298d2"
            "af76f2339bf3bb95c050aac747f6b3f37716cb1495bf1d32450c75522ce8d731"
            "c087b0973030c55e50706eb04b4e381946ca386aca7dfe05c8807c146c24b542"
            "28044cff9820081090310378d8a1e6f952c2fc3ea768ceeb595debd8644ef88b"
            "2462cf173684c072604f3e47da723b0ece0ba99c51dca5b97173084e2231fd88"
            "29fc8d173a7ae5b90b9c6ddbcedbde81735a169d3c7288511016f3116e325f4c"
            "87ce882cd2aff5b7d822edc9ae687fc53062bec9e027a1b557743660b86b8cec"
            "14aded69c9d8a55b38075bf33e744890611723dd44bc9d120a3a63b2ab86b867"
            "85d6b25dde4ac1732a7c538ed67d0ee43babc53d327918b7d6504df08a37bbd3"
            "8dd808d77daa2452f790e3aad6497a47ec37ad748bc1b7fe4f701462228c63c2"
            "1c4e38c363b7bf53bd1faca694c581fae0eb81e9d91d323c8512ca6165d166d8"
            "e20ec3a3ff0dd3eedfcc3e01f59b455c33b5b08d361adff8a381bedb3d4bf6c6"
            "df7fb089bd393250bbb2e35cbb4b1898086651e74dfbfc4e22426f61db7f2788"
            "293f02a9c68330cc8bd5647b7c7616beb68b26b88316f26bd1dc206b425aef7a"
            "a960b81ad30d4ecb756bc58043387fad9c56d9c4f10174f016538d69bef25d92"
            "3438c884f91afc2616cbae7d382167744c40aa6b97e0b02ff53ef6e224c822a4"
            "a888278644755b2934084ba1fe0c26e5ac26f6210cfbde14fed7beee4893d699"
            "569ccf22ada25341fd58a168dcc4ef20a1eecf2b43b657d8fe018025dfd23544"
            "0d1515c3fc49bfd0bf2f958109a6b6d72103fe52b7a8324d751e4644bc2b6104"
            "1b1ceb39868fe949ce78a55e67c5e9ef43f8f135224361c127b509b2b8e15e26"
            "ccf36fb2b755309887fce7a8c89486a1d9a03c7416b32598bac6844a27a658fe"
            "e1680430c8db44524eb2a46ff763f2d663361704f806dbeb9917a51b6190a39f"
            "05ae3ee4dbc81c8e772788dfd3225ac59cd622f8c4d8929d16cc54253b6fdbc0"
            "78d8e3b30369d75df8080463619d76f9ad1dc4309f75896bfb62baaecb1b6ce5"
            "7eea586baece9b484b80d45e7153a72473caf53ebb5ed31c33e3ec5ba0329d25"
            "0e0c28293951c570ec608f77fc067a3319d57a6e94eaa3eb13a42e09d8816583"
            "03638bb5c989987369538eabf1d22f67bda6166ed08bc12593d2507c1fe111d0"
            "580d2f72e75edba2559ae00921ac61854b2095736326e3834b5b400314b04416"
            "bde00eb76656d730b3fd8ad3da6aa73d980911b70006245af74294a60eb16d48"
            "74b1a7e6920a159af5fa551a6cdd7108d0f78d0e7c674dc6e6de7888883c5e23"
            "46d225a4fba3263f2bfd9c20da72e1818fe6ae081d6715de86691dc61e6db75c"
            "dd43725a7da7d8d71e66c590f6517691b3e339817508fac50670691b2c2074e0"
            "53b00c9ddaa95bdd1c386c9e3bc47a82939ebb75fb194a55657a3cdacb665c13"
            "1797e8bdae24d976fb8c73debdb41be0b92ce8e01d3fa82c1e815b77e7df6d06"
            "7c9af02b5dfc86d5b1adbca873486167d6bac8e8e2b8ee4036223e61f6c816e4"
            "0e88ad715358e16c8f4f894b3e9c7fe9adc228c23a29f3eca92839bac286e106"
            "f38be3950c87b81b72358e8f6d18c81ca55d579d738abb9e210512d7e0211c16"
            "3a9585bcb0710b366c448def3bec3f8e24a9e3a76323ca096296790c810541f2"
            "072026e58e105403057bfe0ccc8c50e5ca334d487a03d5644909f25c5dfe2b30"
            "bf2914298b9b7c964707864d4e4df147d1102aa8d3158cf22ff43adfd0a7cb5a"
            "ad99394adf60bef9914ef594efc55632338678a3d64c297ce8ac06b5f5015c9f"
            "02c8e8bf5c1a7f4d28a5b9daa95ee74bf43de91d28aa1a8a76c86c19613c9e29"
            "cdbeffe01cb867b5a446f8b98aa2f67cef23730ce9720a0d9b40d8fb0c9caba8",
        .ctx =
            "cb78879cc713c130dd2c7db297ab066947878a122b5d86d72ee67a0d585de701"
            "780effc7c5d294d6dd6b381fa4e33de7c58ab5be65112be12b8e84e8e0007fdd"
            "1515abbd2294f7ce996ffd0e9b16ebeb24c7bbc6e16c57ba84ab16f257d6429d"
            "56925b4418d4a21b1ea9dc7a1688c44f6d779a2e82a9c3eea4ca051b0edc4896"
            "d050211f46c7c77053cd1e4e5f2d4bb286e53ae61dec7b9d8fd641c6bb004fe6"
            "02470773506bcfb29e1c01c909ccc35227e663e05b55604d72d0da4beccb725d"
            "374af5b8d9e20810f3b9dc07c00210149fe68fc4c4e1397b47eaae7cdd27a84c"
            "6b0f4cf8ff164ecbec88330d15108266a73d2cb6bc2ee4ce4c2f4b460f6778a5"
            "ff6a7d0d5e6dabfb5999d81f30d433e87d11aee3bad03fa7a55e43daf30f3a5f"
            "bab047b20860f4ed35230ce94f81c4c5a835dc99523319d400018d5a10823978"
            "fc7224634a38c56ffeec2f260c3c1cf64d997a7759fe10a5a135bf2f15fa4e52"
            "e6d51c889075d5ccdb2ab1f0705489c7eb1d6e6145a35048cddb32ba7f6bafef"
            "50cb0d36f7293a100273ca8f3f5d8217919ad81515e3e14143ef85a6b0c73b0f"
            "f0a5aa6677705e70ce17846845392c25c6c15f7ee8fae43a47517b9d54849804"
            "5ff75f3c34e7a31deab76d05ab28e42cb17f08a85d07bffe3972448751c573e4"
            "9a5fdd46bc4eb139e478b8bfdc5b889bc13fd9d0b35adfaa536a916d2a09f00b"
            "5ee8b2a0b473071dc83384e6dae6add6ad91014e1442342ce5f99921561f6c2b"
            "4ce3d59e04dc9a16d154e9c2f7c0d5062fa1382a558823f8b0db8732c94eb00c"
            "c5057858a12e757568dceadd0c33165ee7dcfd4274beae603c374b27f52c5f55"
            "4a0b64fda201659c279f5e87d5958866098442ab00e258c39745f193e234373d"
            "fe938c17b9796506f758e51b3b4eda3617e356ec260f2efad1b92b3e7f1de34b"
            "67df435310baa3fb5d5ad8c4ab197e12aa83f1c0a1e0bf725fe86839ef1abeee"
            "6f477919edf2a14ae5fcb558ae6382cb160b94bb3e0249c43c33f1ec1b11719b"
            "5b80f16f881c0536a8d8ee44b518c31462ba98b9c02a7093b3d81169951d437b"
            "39c19105c4e31ec21e5de7debefdae994b8f831ef49bb02b666e62248de01b22"
            "59ebbd2a6b2e37179e1f66cb66b4fb2c36225d7356c1b027e0f01be4478bc6dc"
            "7c0c3d29cb3310fec3c31eff4c9b2786e2b0afb789ce6169e7003e92ea5f9ec1"
            "fa6b20e2412382eb07764c4c2a9633be89a9a8b99a7d271848237046f387a791"
            "58b874baedc6b2a14db6439ae1a241a535d3908ac74db7880be3749f84fcd973"
            "f2860cadeb5d70ac6507148e57f6dcb4c2027cd689e28a3e8e083c1237afe1a8"
            "04115cae5a2b60a0033c7aa23892bece09a25e0fc2b2b506c297979b092f04fe"
            "2ce7a3c442e9a340a552072c3b891aa528b19305980c2f3dc6f583ac241d289f"
            "32664d70b7e0abb875c5f3d27b263eec64e6f770e7f8108e67d2b3876940069a"
            "2f6a1afd620cee312ebe589777d109081f8d422934d5d8b51fd72118e3e72e4a"
            "42fcdb19e9eeb922ad5c07e9c807e5e995a20d3046e2655101a57485e2526e07"
            "c9f53309de7862a9302ad386e5462e60ff74b05fec76b7d15e4d61973c9c99c3"
            "41652147f9b106ec18f83fc738fa7b1462796a0b0cf52cb7abcf63496d1f46a8"
            "bc7d4253756bca38ac8be7a1a192196b0d75805b7d358670126be53ee585a0a4"
            "d6775e4d245784a9e5a4bf25fb36653b813961ec5e4a7e105819135c0f79eccf"
            "bb5f6921c3a75aff3bc7859b47bc3eadbf5460b65b3ffc5068837624b0c33f93"
            "0dce360a589dcce952bbd00b65e50f628216aad2ba5a4cd067b54e841c026ea3"
            "aa225496c8d99c581563f4981aa1d911642556b5038e29857588d1d2e4e62748"
            "139c2baafbd36e2ce6d4e48bd9f7011646f95c887a939e2da6eb012a72e47fb4"
            "780c5018d38e65a71bf9285d8970962fa1c29b34fc7c276393e6e3a49d17977e"
            "13799c4b2c23912c4fb11d4bb4616ee83235c3417a5060c83ed83f38fcc2a2e0"
            "3a21258fc222ed0431b87269af6c6dab2516958792c7463f47056cada0a61df0"
            "662e011ac3bee4f651eca39581e1ccabc171650ae653fbb85369ad8bab8ba7cd"
            "8f150125b11f9c3b9b47ad3838896b1c8a33dd8a0623060b7f70be7ea180bc7a",
    }, {
        .name = "4096",
        .key = "60d536b08e5d0e5f70478cea87301d58"
               "2ab2e8c6cb60e76f569583983880848a",
        .tweak = "43fe633cdc9e0ca6ee9c0b9765c2561d"
                 "5dd0bfa39f1efb78bf511b187327278c",
        .ptx =
            "0b77d8a38ca6b22d3eddcc7c4a3e61c49a7f73b0b3293261132562cc594cf4db"
            "d7f5f4ac7551b283649d1c8bd18b0c06f19fba9dae62d4d896be3c4c32e48244"
            "475aecb88a5bd535571e5c806f77a9b9f24f711e485186430dd55b523040cdbb"
            "2c25c1478bb713c23a1140fced45a4f0d6fd32991371472e4cb081ac9531d623"
            "a42fa9e85a62dc96cf49a71777768a8c0422afaf6dd916ba352166783db66583"
            "c6c1678c32d6c0c7f58afc47d587092f519d576c290b1c32476e47b5f381c882"
            "ca5de36138a0dccc3573fdb3925c72d22dadf6cd2036ff49488021d32f5fe9d8"
            "91206bb138521ebc8848a1dec0a546ce9f3229bc2b510bae7a444eedeb956399"
            "9687c9340226de20e4cb590cb555bd553fa91525a75fab10be9a596cd527f3f0"
            "734ab3e4081100ebf1aec80defcdb5fc0d7e0367ad0decf19afd31603ea2fa1c"
            "93793131d6667abd85fd220800ae7210d6b0f4b84a725b9cbf84ddeb130528b7"
            "6160fd7ff0be4d187dc9bab001597418e4f6a6745d3fdca09e5793bf166cf6bd"
            "93453895b969e9622173bd8173ac15749e68289138b7d447c7abc914ad52e04c"
            "171c42c1b49facccc812eaa99e302114a874b474ec8d400682b792d7425bf2f9"
            "6a1e756e4455c28d735bb88c3cef97de2443b30ebaad6363160a770348cf028d"
            "7683a3ba73be803f8f6e7624c1ff2db420069b67ea29b5e057da309d38a27d1e"
            "8fb9a81764eabe0484d1ce2bfd84f9261f26065c776dc59de63776607d3ef902"
            "baa6f37fd395b40e521c6a008f3a0bce3098b2632fff2d3b3a0665aff42cefbb"
            "88ff2d4ca9f4ff699d46ae67003b4094e97af70bb73ca22fc3de5e2901decafa"
            "c6dad719c7de4a16936ab39b47e9d2fca1c3959c0ba02bd4d31ed72196f91ef4"
            "59f4df00f337727ed8fd49d4cd617b22995694ff96cd9bb276ca9f56ae042e75"
            "894e1b6052eb84f4d133d26c09b11c4308670201e36482ee36cdd070f193d563"
            "ef48c556db0a35fe8548b6979702431f7dc9a82e71900483e746bd9452e3c5d1"
            "ce6a2d6b869af531cd079ca2cd49f5ec013edfd5dc15129b0c99197b2e83fbd8"
            "893a1c1eb4dbeb23d942ae47fcda37e0d2b747d9e8b5f620428a9dafb94680fd"
            "d4746f3864f38bed819456e7f11a6417d4275909df9b7405796e13292b9e1b86"
            "739f40be6eff924ebfaaf4d0888b6f739d8bbfe58a854567d31372c62a633db1"
            "357cb438bb31e37737ad75a96f844e4feb5b5d396ded0aad6c1b8e1f57fac77c"
            "bfcff2d1723b7078ee8ef34ffd61309f56051d7d949b5f8ca10febc3a99eb8a0"
            "c64e1eb1bc0a87a852a91e3d588ec6958558a3c33a4332506cb361e10c7d0263"
            "5f8bdfef13f866ea89001fbd5b4cd5678f8984332dd37094de7bd4b0eb079698"
            "c5c0bfc8cfdcc65cd37d78300e14a086d78ab753a3ec71bf85f2eabd77a6d1fd"
            "5a530cc3fff51d4637b72d885ceb7a0c0d39c64008901f58361235286412e7bb"
            "50ac45157b16235ed4112a8e1747e1d069c6d25c2c76e6bbf7e734618e0736c8"
            "cecf3beb0a55bd4e5995c9325b797a8603744b1087b360f621a4a6a89ac93a6f"
            "d813c918d4382bc2a57e6a090f06df539a44d9692d3961b71c367f9ec6449f42"
            "180b99e627a31ea6d0b99a2b6f6075bd524a91d47b8f959fdd74ed8b2000dd08"
            "6e5b617b066a19841cf98665cd1c733f285c8a931af3a36c6ca97cea3cd41545"
            "7fbce3bb42f02e10cd0c8b441a82830c58b12428a0112f63a582c59f8642f44d"
            "89db764ac37fc4b8dd0d14ded26202cb70b7eef46a09125ed1261a2c207131ef"
            "7d65576598ff8b029ab5a4a1af03c45033cf1b25fa7a79cc55e321630c6deb5b"
            "1cad610bbdb048dbb3c8a0877f8bacfdd2689eb4113c6fb1fe257d845aaec931"
            "c3e56a6fbcab41d9decef9fad57c47d26630c997f267df59ef4e11bc4e70e346"
            "53be166d33fb57984e34793bc73baf94c1874e47111b2241991261e0e08ca9bd"
            "79b6064d903b0d301a00aa0eed7c162f0d1afbf8ad514cab984c80b69203cba9"
            "999d16ab438c3f529653637ebbd276b76b77ab528033e3df4b3c231a33e14340"
            "391ae8bd3c6a7742889fc6aa6528f21eb07c8e104131e9d59dfd287ffb61d339"
            "5f7eb4fb9c7d98b7372f18d93b83af4ebbd5496946933a21461dad84b5e78cff"
            "bf817e22f6888c82f5defe18c9fb5807e468ff9cf4e0242090920149c238e17c"
            "ac610b9636a477e929d497ae15137c6c2df1c5839702a82e0b0fafb542188a8c"
            "b82885281b2a12a54b0aafd27237662328e671a077857cfff38d2f0c3330cd7f"
            "616423b2e97905b86147b12bdaf79a2494f6cf0778a280aa6ee95897190c5873"
            "afee2d6e2667188ac66df6bc65a9cbe753f16197635238860edd33a530e99f32"
            "4364bc2ddc2843d86ccd002c879a3379bd636d4df98a91839adbf79a11e1d193"
            "4a540d513830840bc5298d92186c28fe1b0757ec94740b2c2101f623f9b0a0af"
            "b13e2ea80dbc2a6859de0b2dde7442a1b4ceafd842eb59bd61cc2728c6f2de3e"
            "686413d3c3c031e05df9b4a10920468b48b927620012c50328fd55271c31fcdb"
            "c1cb7e67912e500c61f89f31265a3d2ea0c7ef2ab62448c9bb6399f47c4ec594"
            "99d5ff34938f3145ae5e7bfdf48184655b41700be5aaec956b3de3dc1278f828"
            "26ec3a64c4ab74973dcf217dcf59d3154794e4d9484c024968502216962fc423"
            "804727d1ee103ba719aee1405f3ade5d971c59cee1e732a72089ef4422383c14"
            "993f1bd637fe93bf341386d79be52a377216a4df7fe4a4669df20b29a1e29d36"
            "e19d569573e191580f64f890bb0c480ff552aed9eb95b7ddae0b2055873df069"
            "3c0a5461ea00bdba5f7e258c3e61eeb21ac80e0ba51849f26e1d3f83c3f11acb"
            "9fc9824e7b26fd6828258d2217abf84e1aa98148b09f5275e4efddbd5bbeab3c"
            "43762362ceb8c25bc631e681b442b2fdf374dd023ca0d797b0e7e9e0ceefe91c"
            "09a26dd3c460d6d69e54314576c914d49517e9be699271cbde7cf1bd2bef8daf"
            "51e828ec487ff8fa9f9f5e5261c3fc9a7eebe330b6fec44a871aff5464c7aaa2"
            "fab7b2e725ce95b41593bd24b6bce462937f444072cbfbb2bfe803a5871227fd"
            "c6218a8fc24848b96bb6f0f00e0a0ea440a9d82324d07fe2f9ed76f091a5833c"
            "55e192b8b6329e63608175299ece2a70280c87e546737666bc4b6c37c7d01aa0"
            "9dcf04d38c42ae9d355af1404c4e81aafed5834f2919f36c9ed053e5058f14fb"
            "68ec0a3a85cd3eb44ac25b922e0b5864deca648653db7f4e54c65eaae5823b98"
            "5b01a71f7b3dcc19f111026409257c26eead50683126160fb67b6fa2171ababe"
            "c360dcd244e0b4c4feff69db60a6af390abd6e41d19f8771cc43a84710bc2b7d"
            "40124331b812e0956f9df875513d61bea0d10b8d50c7b8e7ab03da41abc54e33"
            "5a639490227254269365994555d35556c539e4b4b1ead8f9b531f7eb801a9e8d"
            "d24001ea33b9f27a4341720cbf20abf7fa65ec3e35571eef2a81fa10b2db8efa"
            "7fe7af73fcbb57a2af6f411130d8af94538d4c23a52063cf0d00e0945e92aab5"
            "e04e963cf4262ff03fd7ed752c63dfc8fb20b5ae4483c0ab05f9bba7627d215b"
            "048093845f1d9ecda2077e222f5594237435a30f03be0762e916697eae380e9b"
            "ad6e83902110b807dcc14420a58800dce18216f10cdced8c32b549ab1141d5d2"
            "352c7073ceebe3d6e47d2ce88cec8a92508751bd2d9df2f03c7db187f501b0ed"
            "025a204d4308714977729be6ef30c9a26666b8689ddfc616a578ee3c47a67a31"
            "076dce7b86f8b231a8a4773c6336e8d37d4056d848569e3e56f63dd2126e3529"
            "d47adbff974ceb3c282aebe943406106b8a86d18c8bcc723532b8bccce88dff8"
            "fff894e45ceecf39e0f61aaef2d5416a095a5066c4f466dc6a69eec847e68752"
            "9e28e439020dc47e18e6c609070330b9d1b048e680e88ce6c72c33ca64e5c06e"
            "ac144be1f6ebcee4c18cea5b8d3c8691d1d7169c099c6a51e5cde3b0331f03cd"
            "e5d8409bdc29befa24ccf155683a890d0848fd9b474110ae533a8387d489e738"
            "47eed7bee25837d2fc211d20a52d690c365b2fcda1a6e4a1004df7c82dc7166c"
            "6dad328c8f74f9fa781c9a0f6e939c2043b9e4dac4c790478668b76f82594a30"
            "f1fd310fa1ea9b6b185c39b0c78064ff6d5bb48bba90ea4e9a04d2681850b591"
            "454f585ae5c67cab613e3dec1887fcea26354c998a3f007bf58962daddf143ef"
            "2c1d92fa9ad03703699cd81f4144b77354149112414154a29155b6f72341c9c2"
            "5b53f261630da9871abb111f3cbba81fe2665688063cd20f3bc4d68cbe549fa8"
            "9c89fb8805efcde7c1c42136228d9a5d1b1e4ac089dd76165acecd1e6a1fa02b"
            "83f65e288e65b586728fc5f25481108d637b427d060816b3b060654149db0dc1"
            "e2ef727206e7605c951c7d52ec82eed35bab61a41f61640c2832217a81e781f3"
            "dbc018d9ae0b3c9a58ec704f40252bba9659ac344529c657c1c393607792bb83"
            "8aa772452ac935e766d6a9e9438720116a2f87ace09382e56c57a94c9e565733"
            "1cd87e2527418997eaa556025b931346dc533d95efaf9ff00a8afe0cbff0255f"
            "b49f1b729c37ba464ecccc025cec3f98ff561ac27a658ff6d281377a0afc79b9"
            "cb8cc81ad0ba5d55bc6d2eb22f75293f1a4ba8d7e8f6f42aa5a168ecf3d5dd0f"
            "ad57ae9883d5924e76868e5e4b877bf72d793f126a2458c8ab9a6575826fa539"
            "72b0df93b5a2f3dd1f32fadbfe1bbf0ad995dd02f12354b1a5bb24045c2a9792"
            "e6e01061e346c70ccbbc519a3516d94262b35ea43c84a07fb87f70d18b03df27"
            "32063f12231922822d37a500319ba9218e348c8e4fe8d4636cb2a96ef67c96f1"
            "0e64ab143d8f74b33579847806689730e02255d6c55b38b275240c52b657cc0a"
            "bd3cd07347d125d61cfd27053f70e1a7693beec99ffd2a7eab58e60b355e52f9"
            "ffac5b8288a765bc6129dca19442d1d3a0d8ba3b49c8a7ce016cb73fe3984dd1"
            "9f460db3f2433349b727bdbacc3f0956fa6418b81728de0d29fa1fad603b90a7"
            "059f4cc4dc053b1758ea99fd6b8a9377a544bd8d29442989521d898b448fb968"
            "eb93fd92d914359c283a9f1dd8e02a7651c1f0a91db4f8b9fc14785aa2b1db94"
            "cb18b934bd0c651d64ded03ae4680ebc13a7478962a3031964a102273a8d43fa"
            "68ffda8b40e9198b56be1c9be6f63f60db7ad5ab82d8d999e35b0c0c69185ced"
            "03f9c161c47bd49043c339ecaccb1f4b23f8a9982ff648906c2b94ad14ddcca2"
            "3dc7860f7f1c0b934b741f8075b491dfa826f9062b3a2cfd3c31401e5ba68601"
            "c4a2804ff5a2f4fff6078c92f774bd42b03f6b05ca40eb0420a93778320360cc"
            "f3ecb22db5807ce4375325d1e8916ae5dfddb0ab69c7a1b2fcb3d19edaa80d68"
            "fe7ddc56336599d2eca5a0a126c9ecbd22205e0dcb93647a5675ede545a2bd16"
            "59f743d95b2cddb61da805892f652e66fead93eb858fe84c004471030e26affd"
            "fa560fdc9cf32eab882661c613febac1d88a38c3b64e6d804c65932ff554ff63"
            "bedf9ae34fcac97112ab9566ec0964eadc9f01612488d1a7d06926f080b0ec86"
            "c2582f6ac5fdfc2af63e23773b7ec5c5e7f94dcc685311c85b44bd480fb3351a"
            "934a8016a30d5085a6c4d4744d875951d7f77deed09bd183252bc639276ab341"
            "5fd224d4d6fa8c3eb2f911717a9e5e7b5b9a4780ca1cbe045d34c4a22d41fe73"
            "53159fdbe77d8219211b672a747a214ac4966f009269f19950f14a1611f11651",
        .ctx =
            "57d1cf26e5077a3fa55ed4a812e94e369c2865e0bdeff14904d4d4014df5fc2a"
            "32d81921cd582a1a4378a45769a052ebcda59c4d0328ef8b54c66c31ab3eaf6d"
            "0a87833db7ea6b3d11587d5fafc9fc50589a84a1cf76dc77839a287469c90cc2"
            "7b1e4ee42541230d4e0e2d7a87aa0f7c98adf06fbfcbd51a3ecf0ec5debd8df1"
            "aa1916b8c5250233bd5a85e2c07771da124cdf7fcec032951adecb0a70d09e89"
            "c5971804ab8c385669e5f6a5762c527a49d29a95a6a88242201f58574e22db92"
            "ecbd4a21669b7acb73cd6d1507c997b81135ee29a490fc460f3956c64a3acfcc"
            "b1bf621c16c5126c0e6989cecf114ee57e4e7c8fb4c9e65442892827e6ec50b7"
            "6991443e46d464f6254c4d2f60d99ad31c70f4d8241edbcfa8c022e68257f6f0"
            "e11e3866ecdc20db6a5768b14361e112185f315739cbea3c6e5d9ae0a6704dd8"
            "f9474eef31a5669bb7f1d95985fcdb7ea27a70250cfd180d0042c9488abd74c5"
            "3ee1205a5d2ee5321d1c08658069ae2480deb6df97aa428dce3907e669945a75"
            "39da5e1aed4a4c23661ff3b16e8f219445c463bd06935e30e78fcbe0bb2a27cf"
            "57a9a628afaecba57b3661773a4fec5171fd529e327b9809ae27bc9396abb602"
            "f721d342007e7a9217fe1b3dcfb6fe1e40c31025ac229eccc20261f50a4bc3ec"
            "b1440605b8d6cbd5f1f5b565bc1a19a27d608711068325e35ef0eb1593b68eab"
            "4952e8dbded18ea23a641330aa20af818d3c242a766dca3263516b8e4ba7f6ad"
            "a5941682a6973be541cd8733dcc148ca4ea282ad8e1baecb129327a32bfae626"
            "43bdb00001221dd3289d69e0d4f85b01407d54e5e2bd785a0eab51fcd4debabc"
            "a47a746df836c270032736a2c0def2c755d466ee9a9eaa992beba26f17806064"
            "ed73dbc170dade67cd6ec9fa3fef49d91842f1876e2cace1122652be3ef1cc85"
            "9ad19ec102d3ca2b99e7e8957f914bc0abd45af7881c7eead3153826b5a3f2fc"
            "c412705a378349acf45e4cc8640398add2bb8d900180a12a23d18d26437d2bd0"
            "87e18e6ab3739dc26675ee2b411aa03b1bddb921695cef522157d65331677ed1"
            "d0678bc0972c0a091dd435c5d41168f85e75af0cc39da70938f577b980a96bbd"
            "0c98b48df0355a191df8b35b45ad4e4ed559f5d753633e977f9150656121a9b7"
            "6512dc015640e0b1e123ba9db9c48b1fa6fe2419e9429f9b0248aa600bf57f8f"
            "3570ed85b8c4dcb716b703e02ea025ab021f978e5a48b6db257a16f64cececa6"
            "c14ee34ee32778c8b6d70161981b38aa3693ac6d05614d5ac9e527a922f2385e"
            "9ee5f74a64d21415717c656e9031c74925ec9ff1b2d6bc206a13d57065fc8b66"
            "2cf157c2e7b889f717b24564e0b38c0d6957f95cffc23c181efd4b5e0d20011a"
            "a3a3b376989c9241b4cd9f8f88cbb1b52587454c07a715992485159efc28982b"
            "d0220acc6212860aa80e7d153298ae2d95255533415b8d75466101a4fbf86ee5"
            "ec24fed2d246e23a77f3a139d33932d82a6b44d7703623894f75854270d42d4f"
            "eafcc9feb486d8731debf7540a477e2c047b47ea528f131af01965e20a1cae89"
            "e1c5876e5d7ff87908bfd27f2c9522ba3278a9f6039818ed15bf49b06ca14bb0"
            "f317d5355d19575bf1071eaa4defd0d672126bd9bc1049c528d4ece98ab16d50"
            "4bf344b8490462e9a4d85ae79002b71e6689bc5a714ebdf818fb342f67a26571"
            "006322ef3aa5180e5476aa58ae872393b03ca2a407773ed71a9cfe32c354044e"
            "d69844da98f8d3c81c074bcd975d96959a1d4afc19cb0bd06d433a9a391ca890"
            "9f538bc44175b5b9915f020a576c8fc31b0b3a8b583bbe2edc4c23712e140621"
            "0b3b58b897d100622e743e6e218acf60da0cf87cfd07557fb91dda34c727bf2a"
            "d9ba419b37a1c45d0301cebb58ffee7408bd0b80b1d5f8b592f9bbbe03b5ecbe"
            "17eed74e872b611b27c35150a00273001aea2a2bf8f6e696750056cccb7a2429"
            "e8db95bf4e8f0a78b8eb5a9037d021946a896b413a1ba7204337daad81ddb4fc"
            "e9608277443f892335048fa1e8c0b69f56a7863d659c57bb27dbe1b213079cb1"
            "608b386b7f242814febfc0da616ec2c76336a8025493b0babd4d29145a8bbc78"
            "b3a6c5155d364d38209c1e982e16893366a25457ccde12a63b44f1ac363b97c1"
            "9694f26757239c29cdb7242a8c86eeaa0feeafa0ec408c0818a1b42c0946117e"
            "9784b103a53e590507c5f0ccb671722aa20278600bc44793abcd672bf5c567a0"
            "c03c6ad47ec9930c02dc1587481626184e0b160eb3023e4bc2e449089fb98b1a"
            "ca10e86c58a97eb8beff580e8afb3593cc767dd9447c3196c02973d3910ac065"
            "5cbee74eda3185f272ee34be4190d40750645681e327fbccb75c36b46ebd23f8"
            "e871cea873778274ab8d0ee59368b1d251c21858d53f296b2ed0887f4a9da2b8"
            "ae9609bf47ae7d127067f1dddadf4757c92c0fcbf357d4da002e13488fc0aa46"
            "e1c157751ece74c282ef31858e3856ffcbabe0784051d3c5c3b1ee9bd7727f13"
            "837f454945a1058edc83813c24288708a070738042cf5c2639a5c5905c56da58"
            "93455d456459163ff120f7a82ad43dbd17fb9001cf1e71ab22a224b580aca29a"
            "9c2d8569a78733556572c0912a3d0533250d29259f454efa5d903f340854db7d"
            "9420a23b1001a4891e904f363fc240073fab2e89ce80e1f5acaf1710180f4de3"
            "fc822bbee291fa5b9a9b2ad7998d8fdc5499c4a397fdd3dbd1517cce135c3b74"
            "da9ae3dcdc878498166db03d65570bb2b804d4ea4972c366bcdc91052ba65eeb"
            "55723e34d4284b9c0751f730f3ca04c1d369502c2727c4b956c7a2d26629eae0"
            "25b849d160c95eb5ed87b874980d16862a0224deb9a95ef0ddf755b0267a93d4"
            "e67dd243b28f7e9a5d81e628e5967dc833e05657e2a0f21d617860d58170a411"
            "4336e9d16827213cb2a2ad5f04d45500257191ed3ac97b577bd18afb0ef57b08"
            "a9264f245fdd79ed19c4e1d5a86660fc5d4811b0a3c3e6c0c6167d203f7c2552"
            "df05ddb50b92eec5e6d27c3e2ed5acdadb4831ac87138cfaac18bcd17f2dc619"
            "8afaa097892650469ccae17397260a5095ec7919f6bd9aa1cfc9abf78584b2f5"
            "2c7c73aae2c2fbcd5f08462f8ed9fffd19f6f45d2b4b54e227aafd2c5f757cf6"
            "2c9577cc90a2da1e853718341dcf1bf286da71fb72ab870f1e10b3ba51ea29d3"
            "8c87ce4b66bf606d817cb89ccc2e350202324a7a24c49fcef08a8590f3249502"
            "ec13c1a4dd4401eff6aa3070bf4e1ab9c0ff3b575d12fec31d5c3f74f9d96461"
            "20b2767938d221fbc932e8cc8e5fd7019e25764da7c13321facf9840d21d48bd"
            "d0c03890279b894a101eafa0787d872b721002f05d228b22d7567cd76dcd9bc6"
            "bcb2a636deac8714929347ca7df40b88eabf3f2fa9942413a15229fd5da97685"
            "216239a3f0f7b5a3e06c1bcbdb4191c64faa268b15d5843adad605c88c0fe919"
            "008138fb8fdfb06375e0e88fef4ae08334e94e06d7bbcded700c7280649467ad"
            "4ada82cf60fc9243e32fd11e811ddc62ecb1b0ad4f431d384e0d9040291b98f1"
            "bc704e5a08be883a55fb8c331f0a7d2ddc7503d23be8b83213ab04bce23344a6"
            "ff6ebabddce2bf54997176593b7abcdea16e736296735666fb1a56912a8b12b0"
            "829f9b0c42c7222cbc49c53c3bbf5264d6d40352f3fd1398ccd8aa3e1d1f048a"
            "0341195b31f3488349a3ddc97c013464e5f3dfc97f17a2f59c2179939193bf9b"
            "a5a5da1d55327278a6452d21976bfebcd0e78e9766859e41fa2c8aee0d5a18f2"
            "15898ffbbcd8a60c83cc2008ce70e5e6bb7d9f115f1e166818ada94b04978c18"
            "ed2a707939cf36721e3e6d3c19ce1319b513e702d85cec0c81c5e58610839e67"
            "3b742963da23bc43e973a62d257766d02e0538ae2e0e7faf82edef28394c4b6f"
            "dba1b579d05b50776d759f3ccfde41b8a91311601923c73548bc1408f957fe15"
            "fdb2bb8c443bf162bc0e014539c0bbcef5b7e1167bcc8d7fd31536ef8e4baaee"
            "490c6e9b8c0e9fe0d57bddbcb367536d8bbea3cd1e379dc36136f477ec2bc78b"
            "d7ad8d23ddf79df1611cbf09a55eb914a63f1ad912b4ef5620a0773eabf1b991"
            "5a92855c9215b21fafb092232d278b7e12cc56aa628515d7418962d6d9d06dbd"
            "21a849b635402f8d2efa241e30129c0559fae1adc05309dac02e9d240e4b6ed7"
            "68326aa03c23b65a90b11f62c8373688a44d91128d518d814421fed3618dea5b"
            "8724a9e987de7577c6a0d3f6998b325647c66065b64fd15908b2e0153ecb2cd6"
            "8dc6bfda63e20488309f3738981c3e7aa88f3e2ccf90156e5de976d5dfc62ff6"
            "f54a86bd362adadf2fd86e15186be9db26546e603bb8f991c11dc04f268bdf55"
            "472fcedd4e93583f70dcf94e9b375e4f39b930e6cedbaf46cafa52c9753ed696"
            "e897f1b16431711e9fb6ff69d6cd854e20f5fc843cafcc8d5b52b8a21c384782"
            "96ff064caf8af48ff81597f6c3bc8c9ec206d964b81b0dd15355837dcb8b7d20"
            "a770cbaa25ae5a4fdc66ade454ff09ef25cbac59891d06cfc774e05da6d004b4"
            "417534806c4cc9d0510c0f84267569238167debf6c578ac4ba91ba8c2c75eb55"
            "e51b13bcaaec31dbcc003be650d8c3cc9cb86eb49b16ee742651da39e631a1b2"
            "d76fcbae7d9f387d86492a165cc008ea6b558547bb90ba6956a544625be63bcc"
            "e76d1eca4bf386e0097651830a461961f0cee1067d06b4fed9d3648e0fd9649e"
            "7444975d927be3cf5144e7f2e7c00cc2f1f7a636522f7c09fe8c5977526a7eb3"
            "2bb91778e4f282627f688e04b48f60d2c6221e0f3a8e3cb260bca9b3dabd50e4"
            "3398dd6fe93b7757eb7c8fbcfc3434b9403167cffe2220a597e84ca2c394c628"
            "a624e5a6b5d824ef16a1c9e592e68c45242451221eadef2fb6befc9220ac45e6"
            "c0b0c8fb2134d40554b399a4fea9d5b53b7283f6e2f9880e20803e4e8fa17569"
            "435a7c386251b5b784953f6d24ccfd4b4aaa97836d16a8c518d9b9fee23fe8bd"
            "3744df793b34191a655ec7611f175e84207232988c9eac1f6e32ae86464f0f64"
            "3fce96e60241531f3530577ffeb747b90c2f14349b1c8817b5e594173edc4d49"
            "e15d753ea61642d459b5247c4c541cf9d6ed69225f74c9a97cb809a7f92b0d5f"
            "42ff4e57de0c6745a46ea07e2834c5fe587edaec9f0b312a1f1b98ad14cf9f96"
            "f8870e14198123535f3808d9c1cbb2c519727501d4cfd991fc48cca33ce64cc6"
            "73de5e90ce6c85430ddfe38c0262efacb8058081f62230ad30a8cb551ee6057f"
            "c5581a78b72f8e3c8009caa29a72eb108454aa98355eb1c2b7731469eff82843"
            "36d3100ad669f8c8bbe9e9f92952f86f1278f9c6b212fd39a9ebe247b922c58f"
            "4db117400284ed53c5fac1cd595693aa3f233f02b7e96ea0bc96b8b2f8041987"
            "e94f29bf3acb6d48c9e71fb7a8f8d4b46d0fb4f644110ff73dd2360567a14681"
            "90e96064fa5287374401bd58e1dada1ea709f743312b4b55bd0d537f126cf507"
            "fc61dad60abd895f2cf5a81f0d60e43c5d948a1f64ced51673bcbeb18528cb0b"
            "475c1f662589616aa7cdf81b31884271586553d5c0a3562eb6869e1378343685"
            "bbce6e5433b997c572b8e0133404bf83bf781d7c233490e057d43fc661e3ca96"
            "13dd9e20511873376937fbe5601ff2a1efa26e16328ec3b6215ec21cb6c69672"
            "4fa68569a95db22eacfe6ec3e7b35108662aac59b37386ae6d85973768efa785"
            "b7ddddd985c95701102b9a1e441287a5601f88aebf142d054c60858a45ac0fc2",
    },
};

typedef struct AdiantumCase {
    QCryptoAdiantum *a;
    uint8_t *key, *tweak, *ptx, *ctx;
    size_t len;
} AdiantumCase;

static void adiantum_case_load(AdiantumCase *c, const AdiantumVector *v)
{
    size_t klen, tlen, clen;

    c->key = unhex(v->key, &klen);
    c->tweak = unhex(v->tweak, &tlen);
    c->ptx = unhex(v->ptx, &c->len);
    c->ctx = unhex(v->ctx, &clen);
    g_assert_cmpuint(klen, ==, QCRYPTO_ADIANTUM_KEY_LEN);
    g_assert_cmpuint(tlen, ==, QCRYPTO_ADIANTUM_TWEAK_LEN);
    g_assert_cmpuint(clen, ==, c->len);
    c->a = qcrypto_adiantum_new(c->key, &error_abort);
}

static void adiantum_case_free(AdiantumCase *c)
{
    qcrypto_adiantum_free(c->a);
    g_free(c->key);
    g_free(c->tweak);
    g_free(c->ptx);
    g_free(c->ctx);
}

/* Both ways, out of place and in place. */
static void test_adiantum_vector(const void *opaque)
{
    const AdiantumVector *v = opaque;
    AdiantumCase c;
    g_autofree uint8_t *buf = NULL;

    adiantum_case_load(&c, v);
    buf = g_malloc(c.len);

    memset(buf, 0, c.len);
    g_assert_cmpint(qcrypto_adiantum_encrypt(c.a, c.tweak, c.ptx, buf, c.len,
                                             &error_abort), ==, 0);
    g_assert_cmpmem(buf, c.len, c.ctx, c.len);

    memset(buf, 0, c.len);
    g_assert_cmpint(qcrypto_adiantum_decrypt(c.a, c.tweak, c.ctx, buf, c.len,
                                             &error_abort), ==, 0);
    g_assert_cmpmem(buf, c.len, c.ptx, c.len);

    memcpy(buf, c.ptx, c.len);
    g_assert_cmpint(qcrypto_adiantum_encrypt(c.a, c.tweak, buf, buf, c.len,
                                             &error_abort), ==, 0);
    g_assert_cmpmem(buf, c.len, c.ctx, c.len);
    g_assert_cmpint(qcrypto_adiantum_decrypt(c.a, c.tweak, buf, buf, c.len,
                                             &error_abort), ==, 0);
    g_assert_cmpmem(buf, c.len, c.ptx, c.len);

    adiantum_case_free(&c);
}

/*
 * Self-consistency on every length from 16 bytes to past three NH chunks:
 * decryption inverts encryption, in place and out of place, and flipping
 * any one plaintext bit changes both the bulk and the last 16 bytes of the
 * ciphertext (a wide-block cipher has no independent parts).
 */
static void test_adiantum_roundtrip(void)
{
    const size_t max = 3 * QCRYPTO_ADIANTUM_NH_MSG_LEN + 100;
    g_autofree uint8_t *ptx = g_malloc(max);
    g_autofree uint8_t *ctx = g_malloc(max);
    g_autofree uint8_t *ctx2 = g_malloc(max);
    g_autofree uint8_t *buf = g_malloc(max);
    g_autoptr(QCryptoAdiantum) a = NULL;
    uint8_t key[QCRYPTO_ADIANTUM_KEY_LEN], tweak[QCRYPTO_ADIANTUM_TWEAK_LEN];

    for (int i = 0; i < sizeof(key); i++) {
        key[i] = i * 7 + 3;
        tweak[i] = 0xa0 ^ i;
    }
    for (size_t i = 0; i < max; i++) {
        ptx[i] = (i * 31 + (i >> 8)) & 0xff;
    }
    a = qcrypto_adiantum_new(key, &error_abort);

    for (size_t len = 16; len <= max; len += len < 300 ? 1 : 97) {
        size_t flip = (len * 13) % len;

        g_assert_cmpint(qcrypto_adiantum_encrypt(a, tweak, ptx, ctx, len,
                                                 &error_abort), ==, 0);
        g_assert_cmpint(qcrypto_adiantum_decrypt(a, tweak, ctx, buf, len,
                                                 &error_abort), ==, 0);
        g_assert_cmpmem(buf, len, ptx, len);
        memcpy(buf, ptx, len);
        qcrypto_adiantum_encrypt(a, tweak, buf, buf, len, &error_abort);
        g_assert_cmpmem(buf, len, ctx, len);
        qcrypto_adiantum_decrypt(a, tweak, buf, buf, len, &error_abort);
        g_assert_cmpmem(buf, len, ptx, len);

        memcpy(buf, ptx, len);
        buf[flip] ^= 0x10;
        qcrypto_adiantum_encrypt(a, tweak, buf, ctx2, len, &error_abort);
        g_assert_true(memcmp(ctx2 + len - 16, ctx + len - 16, 16));
        if (len >= 32) {
            g_assert_true(memcmp(ctx2, ctx, 16));
        }

        /* The tweak matters too. */
        tweak[len % sizeof(tweak)] ^= 1;
        qcrypto_adiantum_encrypt(a, tweak, ptx, ctx2, len, &error_abort);
        tweak[len % sizeof(tweak)] ^= 1;
        g_assert_true(memcmp(ctx2 + len - 16, ctx + len - 16, 16));
    }
}

static void test_adiantum_bad_len(void)
{
    uint8_t key[QCRYPTO_ADIANTUM_KEY_LEN] = { 0 };
    uint8_t tweak[QCRYPTO_ADIANTUM_TWEAK_LEN] = { 0 };
    uint8_t buf[16] = { 0 };
    g_autoptr(QCryptoAdiantum) a = qcrypto_adiantum_new(key, &error_abort);
    Error *err = NULL;

    g_assert_cmpint(qcrypto_adiantum_encrypt(a, tweak, buf, buf, 15, &err),
                    <, 0);
    error_free_or_abort(&err);
    g_assert_cmpint(qcrypto_adiantum_decrypt(a, tweak, buf, buf, 0, &err),
                    <, 0);
    error_free_or_abort(&err);
}

/*
 * The implementation under test against the portable one ("c"), which the
 * published vectors check: XChaCha12 on every length up to 20 blocks and
 * from counters that carry from word 12 into word 13 and wrap at 2^64,
 * NH on every length, whole Adiantum encryptions.
 */
static void test_vs_c(const void *opaque)
{
    const char *name = opaque;
    const size_t max = 20 * 64 + 63;
    const uint64_t ctrs[] = { 0, 7, 0xfffffffdull, 0xfffffffffffffffdull };
    g_autofree uint8_t *in = g_malloc(4096);
    g_autofree uint8_t *ref = g_malloc(4096);
    g_autofree uint8_t *got = g_malloc(4096);
    g_autofree uint8_t *nhkey = g_malloc(QCRYPTO_ADIANTUM_NH_KEY_LEN);
    uint8_t key[QCRYPTO_ADIANTUM_KEY_LEN], nonce[24];
    uint8_t tweak[QCRYPTO_ADIANTUM_TWEAK_LEN];
    uint8_t href[QCRYPTO_ADIANTUM_NH_HASH_LEN];
    uint8_t hgot[QCRYPTO_ADIANTUM_NH_HASH_LEN];
    g_autoptr(QCryptoAdiantum) a = NULL;

    for (int i = 0; i < 4096; i++) {
        in[i] = (i * 151 + (i >> 7)) & 0xff;
    }
    for (int i = 0; i < QCRYPTO_ADIANTUM_NH_KEY_LEN; i++) {
        nhkey[i] = (i * 89 + 0x5a) & 0xff;
    }
    for (int i = 0; i < sizeof(key); i++) {
        key[i] = 0x11 * i + 1;
        tweak[i] = i ^ 0x3c;
    }
    for (int i = 0; i < sizeof(nonce); i++) {
        nonce[i] = 0xf0 - i;
    }
    for (int c = 0; c < ARRAY_SIZE(ctrs); c++) {
        for (size_t len = 0; len <= max; len++) {
            g_assert_true(qcrypto_adiantum_impl_select("c"));
            qcrypto_adiantum_xchacha12(key, nonce, ctrs[c], in, ref, len);
            g_assert_true(qcrypto_adiantum_impl_select(name));
            qcrypto_adiantum_xchacha12(key, nonce, ctrs[c], in, got, len);
            g_assert_cmpmem(got, len, ref, len);
        }
    }
    for (size_t len = 0; len <= QCRYPTO_ADIANTUM_NH_MSG_LEN; len += 16) {
        g_assert_true(qcrypto_adiantum_impl_select("c"));
        qcrypto_adiantum_nh(nhkey, in + len % 64, len, href);
        g_assert_true(qcrypto_adiantum_impl_select(name));
        qcrypto_adiantum_nh(nhkey, in + len % 64, len, hgot);
        g_assert_cmpmem(hgot, sizeof(hgot), href, sizeof(href));
    }
    a = qcrypto_adiantum_new(key, &error_abort);
    for (size_t len = 16; len <= 4096; len += len < 600 ? 1 : 113) {
        g_assert_true(qcrypto_adiantum_impl_select("c"));
        qcrypto_adiantum_encrypt(a, tweak, in, ref, len, &error_abort);
        g_assert_true(qcrypto_adiantum_impl_select(name));
        qcrypto_adiantum_encrypt(a, tweak, in, got, len, &error_abort);
        g_assert_cmpmem(got, len, ref, len);
        qcrypto_adiantum_decrypt(a, tweak, got, got, len, &error_abort);
        g_assert_cmpmem(got, len, in, len);
    }
    g_assert_true(qcrypto_adiantum_impl_select(NULL));
}

/* Throughput on 4 KiB units, with -m perf */
static void test_adiantum_perf(void)
{
    const size_t len = 4096;
    g_autofree uint8_t *buf = g_malloc0(len);
    uint8_t key[QCRYPTO_ADIANTUM_KEY_LEN] = { 1 };
    uint8_t tweak[QCRYPTO_ADIANTUM_TWEAK_LEN] = { 0 };
    g_autoptr(QCryptoAdiantum) a = qcrypto_adiantum_new(key, &error_abort);

    for (int enc = 1; enc >= 0; enc--) {
        uint64_t n;
        double secs, mib;

        g_test_timer_start();
        for (n = 0; (secs = g_test_timer_elapsed()) < 1.0; n++) {
            tweak[0] = n;
            if (enc) {
                qcrypto_adiantum_encrypt(a, tweak, buf, buf, len,
                                         &error_abort);
            } else {
                qcrypto_adiantum_decrypt(a, tweak, buf, buf, len,
                                         &error_abort);
            }
        }
        mib = (double)n * len / secs / (1024 * 1024);
        g_test_message("%s: %s 4 KiB units: %.1f MiB/s, %.2f us per unit",
                       qcrypto_adiantum_impl_current(),
                       enc ? "encrypt" : "decrypt", mib, secs * 1e6 / n);
        g_test_maximized_result(mib, "%s %.1f MiB/s",
                                enc ? "encrypt" : "decrypt", mib);
    }
}

/*
 * XChaCha12
 */

typedef struct XChaChaVector {
    const char *name;
    const char *key;
    const char *nonce;
    uint64_t block;
    const char *stream;         /* 64 bytes from @block on */
} XChaChaVector;

static const XChaChaVector xchacha_vectors[] = {
    {
        .name = "key-bit-0/block-0",
        .key = "01000000000000000000000000000000"
               "00000000000000000000000000000000",
        .nonce = "000000000000000000000000000000000000000000000000",
        .block = 0,
        .stream = "b9815b9baea6918f3dce2daefad8bfc1"
                  "c5c0c4f4baebafeb5723f1348004e064"
                  "7d444d4b5ccac99d7ab6491e45f85673"
                  "a6d0ca4b298f2bdd8e989b4bf39ff7a1",
    }, {
        .name = "key-bit-0/block-1",
        .key = "01000000000000000000000000000000"
               "00000000000000000000000000000000",
        .nonce = "000000000000000000000000000000000000000000000000",
        .block = 1,
        .stream = "e3dd793fe50c5c09f7e8f579ab3f5ce1"
                  "500a781b5f65054ab350d5ec4fb4aad0"
                  "0e2ae015f11749a0834bba0790a19cd2"
                  "21831dd3570f705ff36d11fe1bc58c9d",
    }, {
        .name = "key-bit-0/block-1023",
        .key = "01000000000000000000000000000000"
               "00000000000000000000000000000000",
        .nonce = "000000000000000000000000000000000000000000000000",
        .block = 1023,
        .stream = "371bc6dbf8f52b8870f5a4c7b6df80b0"
                  "556672b949ad098765ee90b236b01d7d"
                  "25fe9d36b274f5ed429cf8fa6561795d"
                  "c7fe1ec4a855e5830a1fa8e2ffb34cd9",
    }, {
        .name = "random-8/block-0",
        .key = "97d5a0b613a1def2e2b8d472ff181976"
               "38ec7995dfd8590253d70ba82d4567d9",
        .nonce = "815113f1674b50070420ab0d6ab43651"
                 "0b5c1abec0c91b33",
        .block = 0,
        .stream = "4691fce263f1f5c3ebac625c39edc752"
                  "69bd2a41c27e29a36d391fc2627a5098"
                  "baeae4ae51a2d7398da4acdfc60afc2c"
                  "127005e165929fd4f9b7abb2daa0c7bf",
    }, {
        .name = "random-8/block-1",
        .key = "97d5a0b613a1def2e2b8d472ff181976"
               "38ec7995dfd8590253d70ba82d4567d9",
        .nonce = "815113f1674b50070420ab0d6ab43651"
                 "0b5c1abec0c91b33",
        .block = 1,
        .stream = "ba6404c20b22a5a57e6523675b7f0615"
                  "cac1fb6a9a8a35af7792547ec17e6627"
                  "c7961aea1ef2a2a2d55e624c93cf5f58"
                  "23e5c16072ed370053a306d371c31a92",
    }, {
        .name = "random-8/block-1024",
        .key = "97d5a0b613a1def2e2b8d472ff181976"
               "38ec7995dfd8590253d70ba82d4567d9",
        .nonce = "815113f1674b50070420ab0d6ab43651"
                 "0b5c1abec0c91b33",
        .block = 1024,
        .stream = "76b752fdb9112508b58579345245b25b"
                  "3c7ce9f69544f57547b104525945c96a"
                  "b7dcf00be13dd452c548d6ac79726e87"
                  "fc9ed70dc06c951fe06e3660f57a65b2",
    },
};

/*
 * The block at the vector's offset, alone and as the tail of a stream
 * started at block 0 (which also covers the counter), as keystream and
 * XORed in place.
 */
static void test_xchacha_vector(const void *opaque)
{
    const XChaChaVector *v = opaque;
    g_autofree uint8_t *key = unhex(v->key, NULL);
    g_autofree uint8_t *nonce = unhex(v->nonce, NULL);
    g_autofree uint8_t *stream = unhex(v->stream, NULL);
    size_t total = (v->block + 1) * 64;
    g_autofree uint8_t *buf = g_malloc0(total);
    uint8_t out[64];

    qcrypto_adiantum_xchacha12(key, nonce, v->block, NULL, out, 64);
    g_assert_cmpmem(out, 64, stream, 64);

    qcrypto_adiantum_xchacha12(key, nonce, 0, buf, buf, total);
    g_assert_cmpmem(buf + total - 64, 64, stream, 64);

    /* A ragged start: 64 bytes from byte 3 of the previous block. */
    if (v->block) {
        uint8_t prev[67];

        memset(prev, 0, sizeof(prev));
        qcrypto_adiantum_xchacha12(key, nonce, v->block - 1, prev, prev,
                                   sizeof(prev));
        g_assert_cmpmem(prev + 64, 3, stream, 3);
    }
}

/*
 * NH.json's keys are 1072 bytes, but a 16-byte message only meets the
 * first 16 + 48 of them: those are given, the rest is left zero.
 */
typedef struct NhVector {
    const char *name;
    const char *key;            /* the first 64 bytes */
    const char *msg;
    const char *hash;
} NhVector;

static const NhVector nh_vectors[] = {
    {
        .name = "random-1",
        .key = "225b80c81805370976144b67c4507f2b"
               "2cff56c5d566456835e6d29ae5d0c1fb"
               "ac59811a60b03d814ba35ba9ccb3fe2d"
               "c24dd926ad36cf8c05113b8a991581c8",
        .msg = "d382e70435ccf7a4f9b2c5ed5ad958eb",
        .hash = "41d9ad545a0dcc5348f64c75435ddd77"
                "daca7dec913b53165c4b58dc700a7b37",
    }, {
        .name = "random-2",
        .key = "8ff494d9ab84855cf7e0b49e91bb4573"
               "0888e3330d442d7a1cec01a62955df49"
               "f58698a1d54eaf42d4d473f6f62bad71"
               "d7ddb7d0099061f0366618dc21ab067c",
        .msg = "4013e1d667601466f5c0956a1cd1e6d8",
        .hash = "fe06ecd265254f400c83487516f7281f"
                "d58a7c180cb6d45e8d8a4dad8ebdf44a",
    },
};

static void test_nh_vector(const void *opaque)
{
    const NhVector *v = opaque;
    g_autofree uint8_t *key = g_malloc0(QCRYPTO_ADIANTUM_NH_KEY_LEN);
    g_autofree uint8_t *head = NULL;
    g_autofree uint8_t *msg = NULL;
    g_autofree uint8_t *hash = unhex(v->hash, NULL);
    size_t klen, mlen;
    uint8_t out[QCRYPTO_ADIANTUM_NH_HASH_LEN];

    head = unhex(v->key, &klen);
    msg = unhex(v->msg, &mlen);
    memcpy(key, head, klen);
    qcrypto_adiantum_nh(key, msg, mlen, out);
    g_assert_cmpmem(out, sizeof(out), hash, sizeof(out));
}

/*
 * Poly1305
 */

typedef struct Poly1305Vector {
    const char *name;
    const char *key;
    const char *msg_hex;        /* or */
    const char *msg_str;
    const char *tag;
} Poly1305Vector;

static const Poly1305Vector poly1305_vectors[] = {
    {
        .name = "rfc8439-2.5.2",
        .key = "85d6be7857556d337f4452fe42d506a8"
               "0103808afb0db2fd4abff6af4149f51b",
        .msg_str = "Cryptographic Forum Research Group",
        .tag = "a8061dc1305136c6c22b8baf0c0127a9",
    }, {
        .name = "rfc8439-a.3-4",
        .key = "1c9240a5eb55d38af333888604f6b5f0"
               "473917c1402b80099dca5cbc207075c0",
        .msg_str = "'Twas brillig, and the slithy toves\n"
                   "Did gyre and gimble in the wabe:\n"
                   "All mimsy were the borogoves,\n"
                   "And the mome raths outgrabe.",
        .tag = "4541669a7eaaee61e708dc7cbcc5eb62",
    }, {
        .name = "rfc8439-a.3-5",
        .key = "02000000000000000000000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "ffffffffffffffffffffffffffffffff",
        .tag = "03000000000000000000000000000000",
    }, {
        .name = "rfc8439-a.3-6",
        .key = "02000000000000000000000000000000"
               "ffffffffffffffffffffffffffffffff",
        .msg_hex = "02000000000000000000000000000000",
        .tag = "03000000000000000000000000000000",
    }, {
        .name = "rfc8439-a.3-7",
        .key = "01000000000000000000000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "ffffffffffffffffffffffffffffffff"
                   "f0ffffffffffffffffffffffffffffff"
                   "11000000000000000000000000000000",
        .tag = "05000000000000000000000000000000",
    }, {
        .name = "rfc8439-a.3-8",
        .key = "01000000000000000000000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "ffffffffffffffffffffffffffffffff"
                   "fbfefefefefefefefefefefefefefefe"
                   "01010101010101010101010101010101",
        .tag = "00000000000000000000000000000000",
    }, {
        .name = "rfc8439-a.3-9",
        .key = "02000000000000000000000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "fdffffffffffffffffffffffffffffff",
        .tag = "faffffffffffffffffffffffffffffff",
    }, {
        .name = "rfc8439-a.3-10",
        .key = "01000000000000000400000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "e33594d7505e43b90000000000000000"
                   "3394d7505e4379cd0100000000000000"
                   "00000000000000000000000000000000"
                   "01000000000000000000000000000000",
        .tag = "14000000000000005500000000000000",
    }, {
        .name = "rfc8439-a.3-11",
        .key = "01000000000000000400000000000000"
               "00000000000000000000000000000000",
        .msg_hex = "e33594d7505e43b90000000000000000"
                   "3394d7505e4379cd0100000000000000"
                   "00000000000000000000000000000000",
        .tag = "13000000000000000000000000000000",
    },
};

static void test_poly1305_vector(const void *opaque)
{
    const Poly1305Vector *v = opaque;
    g_autofree uint8_t *key = unhex(v->key, NULL);
    g_autofree uint8_t *tag = unhex(v->tag, NULL);
    g_autofree uint8_t *msg = NULL;
    size_t len;
    uint8_t out[16];

    if (v->msg_hex) {
        msg = unhex(v->msg_hex, &len);
    } else {
        msg = (uint8_t *)g_strdup(v->msg_str);
        len = strlen(v->msg_str);
    }
    qcrypto_adiantum_poly1305(key, msg, len, out);
    g_assert_cmpmem(out, sizeof(out), tag, sizeof(out));
}

/* One test on one implementation */
typedef struct ImplTest {
    const char *impl;
    GTestDataFunc fn;
    const void *data;
} ImplTest;

static void run_impl_test(const void *opaque)
{
    const ImplTest *t = opaque;

    g_assert_true(qcrypto_adiantum_impl_select(t->impl));
    t->fn(t->data);
    g_assert_true(qcrypto_adiantum_impl_select(NULL));
}

static void add_impl_test(const char *impl, const char *what, GTestDataFunc fn,
                          const void *data)
{
    ImplTest *t = g_new(ImplTest, 1);
    g_autofree char *path = g_strdup_printf("/crypto/adiantum/%s/%s",
                                            impl, what);

    *t = (ImplTest) { .impl = impl, .fn = fn, .data = data };
    g_test_add_data_func_full(path, t, run_impl_test, g_free);
}

static void call_void(const void *opaque)
{
    ((void (*)(void))opaque)();
}

int main(int argc, char **argv)
{
    const char *impl;

    g_test_init(&argc, &argv, NULL);
    g_assert(qcrypto_init(NULL) == 0);

    for (unsigned n = 0; (impl = qcrypto_adiantum_impl_name(n)); n++) {
        for (int i = 0; i < ARRAY_SIZE(adiantum_vectors); i++) {
            g_autofree char *what =
                g_strdup_printf("xchacha12-aes/%s", adiantum_vectors[i].name);

            add_impl_test(impl, what, test_adiantum_vector,
                          &adiantum_vectors[i]);
        }
        add_impl_test(impl, "roundtrip", call_void, test_adiantum_roundtrip);
        add_impl_test(impl, "bad-len", call_void, test_adiantum_bad_len);
        if (g_test_perf()) {
            add_impl_test(impl, "perf", call_void, test_adiantum_perf);
        }
        for (int i = 0; i < ARRAY_SIZE(xchacha_vectors); i++) {
            g_autofree char *what =
                g_strdup_printf("xchacha12/%s", xchacha_vectors[i].name);

            add_impl_test(impl, what, test_xchacha_vector,
                          &xchacha_vectors[i]);
        }
        for (int i = 0; i < ARRAY_SIZE(nh_vectors); i++) {
            g_autofree char *what =
                g_strdup_printf("nh/%s", nh_vectors[i].name);

            add_impl_test(impl, what, test_nh_vector, &nh_vectors[i]);
        }
        for (int i = 0; i < ARRAY_SIZE(poly1305_vectors); i++) {
            g_autofree char *what =
                g_strdup_printf("poly1305/%s", poly1305_vectors[i].name);

            add_impl_test(impl, what, test_poly1305_vector,
                          &poly1305_vectors[i]);
        }
        if (n > 0) {
            g_autofree char *path =
                g_strdup_printf("/crypto/adiantum/%s/vs-c", impl);

            g_test_add_data_func(path, impl, test_vs_c);
        }
    }
    return g_test_run();
}
